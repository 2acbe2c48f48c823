"""What a piece of Go source holds, read in one linear pass: whether its brackets balance, where
its package clauses are and what each program it holds declares at top level.

    scan(code) -> Scan
    Scan.balanced   braces, brackets and parens balance outside strings, runes and comments
                    (never below zero at a line that declares something, a comment or a
                    string), and every string, rune and block comment is closed
    Scan.programs   one Program for the first package clause, and one more for each later
                    `package main` clause (a restart), that begins a line outside any comment
                    or string (a clause inside a comment or a raw string starts nothing); the
                    text before the first clause counts with the first program. Another
                    package's clause later in the text is the program's own error, not a restart
    Program         offset (where its clause's line starts), package, balanced (its own brackets,
                    counted from its clause), declared: names declared at its top level
                    (functions, methods, the first name of each `type`, `var` and `const`
                    line: `func (c *Cache) Get` declares `Get`)

The tokens follow the Go specification's lexical grammar ("Comments", "String literals", "Rune
literals"); every pattern is possessive, so no input makes the scan backtrack: its time is
linear in the length of the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A comment, a string or rune literal (its closing delimiter optional: an unclosed one is noted),
# or the start of a line that may declare something. Brackets are counted between tokens.
_TOKEN = re.compile(
    r"//[^\n]*+"
    r"|/\*(?:[^*]|\*(?!/))*+(?:\*/)?"
    r'|"(?:[^"\\\n]|\\.)*+"?'
    r"|'(?:[^'\\\n]|\\.)*+'?"
    r"|`[^`]*+`?"
    r"|(?m:^)[ \t]*+(?:package|func|type|var|const)\b"
)
_PACKAGE = re.compile(r"[ \t]*+package[ \t]++(\w++)")
_DECLARED = re.compile(r"[ \t]*+(?:func[ \t]*+(?:\([^)\n]*+\)[ \t]*+)?|(?:type|var|const)[ \t]++)(\w++)")
_CLOSED_LITERAL = re.compile(r'(?s:"(?:[^"\\]|\\.)*+"|\'(?:[^\'\\]|\\.)*+\'|`[^`]*+`|/\*.*\*/)')


@dataclass
class Program:
    """One program of a scanned text: from its package clause to the next one."""

    offset: int
    package: str | None
    balanced: bool = True
    declared: set[str] = field(default_factory=set)


@dataclass
class Scan:
    """What `scan` found (see the module docstring)."""

    balanced: bool = True
    programs: list[Program] = field(default_factory=list)

    @property
    def declared(self) -> set[str]:
        """Every name declared at top level by any of its programs."""
        return set().union(*(p.declared for p in self.programs))


def _depth_change(span: str) -> int:
    if len(span) < 2:
        return (span in "{([") - (span in "})]") if span else 0
    return (
        span.count("{")
        + span.count("(")
        + span.count("[")
        - span.count("}")
        - span.count(")")
        - span.count("]")
    )


RESTART_PACKAGE = "main"  # the clause that starts a program again (gotest reads every clause as main)


def scan(code: str) -> Scan:
    """Read `code` once (see the module docstring)."""
    first = Program(0, None)
    result = Scan(programs=[first])
    program = first
    depth = total = 0  # the program's own bracket depth, and the whole text's
    position = 0
    for token in _TOKEN.finditer(code):
        change = _depth_change(code[position : token.start()])
        depth += change
        total += change
        position = token.end()
        if depth < 0:
            program.balanced = False
        if total < 0:
            result.balanced = False
        text = token[0]
        if text[0] in "/\"'`":
            if not text.startswith("//") and _CLOSED_LITERAL.fullmatch(text) is None:
                result.balanced = program.balanced = False
        elif (clause := _PACKAGE.match(code, token.start())) is not None:
            if program is first and program.package is None:
                program.package = clause[1]
            elif clause[1] == RESTART_PACKAGE:
                program.balanced = program.balanced and depth == 0
                program = Program(token.start(), clause[1])
                result.programs.append(program)
                depth = 0
        elif depth == 0 and (declared := _DECLARED.match(code, token.start())) is not None:
            program.declared.add(declared[1])
    change = _depth_change(code[position:])
    if depth + change != 0:
        program.balanced = False
    if total + change != 0:
        result.balanced = False
    return result


def is_balanced(code: str) -> bool:
    """True when brackets balance outside Go strings, runes and comments, all of them closed."""
    return scan(code).balanced
