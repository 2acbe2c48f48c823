"""Getting Go files out of a model's raw response (shared by all exams).

API (stable; other exams rely on it)::

    extract_files(response_text, expected=["factorial.go", ...], finish_reason=None,
                  content_hints={"wordfreq.go": ["os.Stdin", "bufio"]}) -> Extraction
    Extraction.files     {name: Go source} for every expected file found complete
    Extraction.problems  {name: reason} for every expected file that could not be extracted
    Extraction.truncated True when the response ends inside an unfinished file

Every expected name ends up in exactly one of `files` or `problems`.

What it accepts, in order of preference:
1. `#START name.go#` ... `#END name.go#` marker pairs, alone or inside ``` fences,
   with or without the closing `#`, `# START name.go` spacing, any case, or wrapped
   in `**`/backticks. Fence lines just inside the markers are dropped. A file given
   twice: the last complete copy wins. A START whose END never comes is complete
   only if the next START follows or the response ended normally, and the code is
   balanced (braces, parens); with finish_reason "length" it is always truncated.
2. Fenced blocks without markers, for files still missing (fences read as CommonMark
   reads them: backticks or tildes, closed only by the same character at least as many
   times, any info string; an outer fence holding fenced blocks is read for the inner
   ones): a block holding
   `package main` is matched by a name hint (its info string, a comment in its
   first lines, or the prose line just before it), else by `content_hints`
   keywords, else by order when the counts agree; with one expected file, the last
   complete `package main` block.
3. With one expected file and neither markers nor fences: the text from the first
   `package main` line to the end.
4. A block that restarts with a second `package main` line (an abandoned attempt followed
   by a rewrite) keeps only its last complete program.
Before all of this, CRLF/CR become LF and reasoning is dropped: `<think>...</think>`
(and everything before a lone `</think>`), and of raw gpt-oss Harmony text everything but its
`final` channel (exams/harmony.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from exams.harmony import answer_text, is_harmony

_MARKER = re.compile(r"^(?://\s*)?#\s*(START|END)\s*:?\s*([\w.\-/]+?\.go)\s*#?$", re.IGNORECASE)
# A fence line as CommonMark defines one: three or more backticks or tildes, then an info
# string (none for a closing fence; no backtick in a backtick fence's). Indentation is not
# limited to CommonMark's three spaces: answers indent fences inside list items.
_FENCE = re.compile(r"^\s*(`{3,}(?=[^`]*$)|~{3,})\s*(.*?)\s*$")
_PACKAGE_MAIN = re.compile(r"^\s*package\s+main\b", re.MULTILINE)
_GO_NAME = re.compile(r"[\w\-]+\.go\b", re.IGNORECASE)


@dataclass
class Extraction:
    """The files found in a response, the reasons for the ones not found, and truncation."""

    files: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def complete(self) -> bool:
        """Every expected file was extracted."""
        return not self.problems


@dataclass
class _Block:
    name: str | None
    code: str
    complete: bool
    hint_text: str = ""  # info string, first lines and the prose just before (fenced blocks)


def strip_reasoning(text: str) -> str:
    """Normalise line endings and drop reasoning that precedes the answer."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if is_harmony(text):
        text = answer_text(text)
    text = re.sub(r"<think(?:ing)?>.*?</think(?:ing)?>", "", text, flags=re.DOTALL | re.IGNORECASE)
    lone_close = re.search(r"</think(?:ing)?>", text, flags=re.IGNORECASE)
    if lone_close:
        text = text[lone_close.end() :]
    open_think = re.search(r"<think(?:ing)?>", text, flags=re.IGNORECASE)
    if open_think:  # reasoning never closed: the answer never started
        text = text[: open_think.start()]
    return text


def is_balanced(code: str) -> bool:
    """True when braces, brackets and parens balance outside Go strings, runes and comments."""
    depth = 0
    i, n = 0, len(code)
    pairs = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            i = code.find("\n", i)
            i = n if i < 0 else i
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            if end < 0:
                return False
            i = end + 2
            continue
        elif c in "\"'`":
            i += 1
            while i < n and code[i] != c:
                if code[i] == "\\" and c != "`":
                    i += 1
                elif code[i] == "\n" and c != "`":
                    return False
                i += 1
            if i >= n:
                return False
        elif c in pairs:
            depth += pairs[c]
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _fence(line: str) -> tuple[str, str] | None:
    """(fence, info string) when `line` is a fence line, else None."""
    match = _FENCE.match(line)
    return (match.group(1), match.group(2)) if match else None


def _closes(line: str, fence: str) -> bool:
    """True when `line` closes a block opened by `fence`: the same character, at least as long, no info."""
    found = _fence(line)
    return found is not None and not found[1] and found[0][0] == fence[0] and len(found[0]) >= len(fence)


def _strip_fences(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    opening = _fence(lines[0]) if lines else None
    if opening is not None:
        lines = lines[1:]
        if lines and _closes(lines[-1], opening[0]):
            lines = lines[:-1]
    elif lines and (closing := _fence(lines[-1])) is not None and not closing[1]:
        lines = lines[:-1]
    return "\n".join(lines).strip("\n") + "\n"


def _canonical(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()


def _marker_blocks(lines: list[str], ended_normally: bool) -> list[_Block]:
    markers = []
    for index, line in enumerate(lines):
        match = _MARKER.match(line.strip().strip("*`").strip())
        if match:
            markers.append((index, match.group(1).upper(), _canonical(match.group(2))))
    blocks: list[_Block] = []
    for pos, (index, kind, name) in enumerate(markers):
        if kind != "START":
            continue
        following = markers[pos + 1 :]
        end = next((m for m in following if m[1] == "END" and m[2] == name), None)
        next_start = next((m for m in following if m[1] == "START"), None)
        if end is not None and (next_start is None or end[0] < next_start[0]):
            blocks.append(_Block(name, _strip_fences(lines[index + 1 : end[0]]), complete=True))
            continue
        stop = next_start[0] if next_start is not None else len(lines)
        code = _strip_fences(lines[index + 1 : stop])
        complete = (
            (next_start is not None or ended_normally)
            and is_balanced(code)
            and bool(_PACKAGE_MAIN.search(code))
        )
        blocks.append(_Block(name, code, complete=complete))
    return blocks


def _fenced_blocks(lines: list[str], ended_normally: bool) -> list[_Block]:
    """The `package main` blocks among fenced code blocks, read as CommonMark reads them.

    A block closes only at a fence of its own character at least as long as its opening
    fence, so a four-backtick block may hold three-backtick ones. A block that holds
    fenced blocks of its own (an answer wrapped whole in an outer fence) is read for
    those inner blocks instead.
    """
    blocks: list[_Block] = []
    i = 0
    while i < len(lines):
        opening = _fence(lines[i])
        if opening is None:
            i += 1
            continue
        fence, info = opening
        close = next((j for j in range(i + 1, len(lines)) if _closes(lines[j], fence)), None)
        body = lines[i + 1 : close if close is not None else len(lines)]
        inner = _fenced_blocks(body, ended_normally and close is not None) if any(map(_fence, body)) else []
        if inner:
            blocks += inner
        else:
            code = "\n".join(body).strip("\n") + "\n"
            prose = next((lines[k] for k in range(i - 1, max(i - 4, -1), -1) if lines[k].strip()), "")
            complete = close is not None or (ended_normally and is_balanced(code))
            if _PACKAGE_MAIN.search(code):
                blocks.append(_Block(None, code, complete, hint_text=" ".join([info, prose, *body[:3]])))
        i = (close if close is not None else len(lines)) + 1
    return blocks


def _assign(
    blocks: list[_Block], missing: list[str], hints: Mapping[str, Sequence[str]]
) -> dict[str, _Block]:
    chosen: dict[str, _Block] = {}
    pending = list(missing)
    for block in blocks:  # name hints; later blocks override earlier ones
        named = {_canonical(n) for n in _GO_NAME.findall(block.hint_text)} & set(pending)
        if len(named) == 1:
            name = named.pop()
            if block.complete or name not in chosen:
                chosen[name] = block
    unnamed = [b for b in blocks if not any(b is c for c in chosen.values())]
    pending = [n for n in pending if n not in chosen]
    if len(pending) == 1 and len(missing) == 1 and unnamed:
        complete = [b for b in unnamed if b.complete]
        chosen[pending[0]] = (complete or unnamed)[-1]
        return chosen
    for name in list(pending):
        keywords = hints.get(name, ())
        scored = [(sum(k in b.code for k in keywords), b) for b in unnamed]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            best = max(scored, key=lambda s: (s[0], s[1].complete))[1]
            chosen[name] = best
            unnamed.remove(best)
            pending.remove(name)
    if pending and len(unnamed) == len(pending):
        chosen.update(zip(pending, unnamed, strict=True))
    return chosen


def extract_files(
    response_text: str,
    expected: Sequence[str],
    finish_reason: str | None = None,
    content_hints: Mapping[str, Sequence[str]] | None = None,
) -> Extraction:
    """Extract each expected Go file from a raw model response (see the module docstring)."""
    ended_normally = finish_reason != "length"
    lines = strip_reasoning(response_text).split("\n")
    wanted = {_canonical(name): name for name in expected}
    found: dict[str, _Block] = {}
    for block in _marker_blocks(lines, ended_normally):
        if block.name in wanted and (
            block.complete or block.name not in found or not found[block.name].complete
        ):
            found[block.name] = block
    missing = [n for n in wanted if n not in found]
    if missing:
        fenced = _fenced_blocks(lines, ended_normally)
        hints = {_canonical(k): v for k, v in (content_hints or {}).items()}
        found.update(_assign(fenced, missing, hints))
        if not fenced and len(wanted) == 1 and missing:
            text = "\n".join(lines)
            start = _PACKAGE_MAIN.search(text)
            if start:
                code = text[start.start() :].strip("\n") + "\n"
                found[missing[0]] = _Block(missing[0], code, ended_normally and is_balanced(code))
    result = Extraction()
    for key, name in wanted.items():
        chosen = found.get(key)
        if chosen is None:
            result.problems[name] = f"no #START {name}# block or matching `package main` code block found"
        elif not chosen.complete:
            result.problems[name] = (
                f"{name} is unfinished (no #END marker or closing fence; the response was cut off)"
            )
            result.truncated = True
        else:
            result.files[name] = last_program(chosen.code)
    return result


def last_program(code: str) -> str:
    """The last complete program of a file block that restarts with a second `package main`.

    Models sometimes abandon a program half-way and write it again ("re-implementing the file")
    inside the same markers; like a file given twice, the last complete version is the answer.
    """
    starts = [m.start() for m in _PACKAGE_MAIN.finditer(code)]
    if len(starts) < 2:
        return code
    tail = code[starts[-1] :].lstrip("\n")
    return tail if is_balanced(tail) else code
