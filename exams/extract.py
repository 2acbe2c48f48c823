"""Getting Go files out of a model's raw response (shared by all exams).

API (stable; other exams rely on it)::

    extract_files(response_text, expected=["factorial.go", ...], finish_reason=None,
                  content_hints={"wordfreq.go": ["os.Stdin", "bufio"]},
                  api={"reverse.go": FileApi("reverse", ("Reverse", "IsPalindrome"))}) -> Extraction
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
   ones, at any depth): a block holding
   `package main` is matched by a name hint (its info string, a comment in its
   first lines, or the prose line just before it), else by `content_hints`
   keywords, else by order when the counts agree; with one expected file, the complete
   block that declares most of the file's `api` (the exam's package and identifiers: an
   answer followed by an "Example usage" `package main` or by its own tests keeps the
   answer), the last such block on a tie.
3. With one expected file and neither markers nor fences: the text from the first
   `package main` line to the end.
4. A block that restarts with a second `package main` clause (an abandoned attempt followed by a
   rewrite, or an example after the answer) keeps one whole program: the one that declares
   most of the `api`, the last such on a tie. A package clause inside a comment or a string
   is not a restart (exams/gosource.py reads the code as Go's lexer does).
Before all of this the text is normalised: CRLF/CR become LF, invisible characters that
start or end a line (a byte order mark, zero-width spaces and joiners, a word joiner) are
dropped, and so is reasoning: `<think>...</think>` (and everything before a lone `</think>`),
and of raw gpt-oss Harmony text everything but its `final` channel (exams/harmony.py). A
lone surrogate in a file (no UTF-8 file can hold one) becomes U+FFFD.

Every step is linear in the length of the response: a response of any size the server can
send (max_tokens) is read in one pass per step, whatever it holds (bench/extraction.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from exams.gosource import Program, is_balanced, scan
from exams.harmony import answer_text, is_harmony

__all__ = ["Extraction", "FileApi", "extract_files", "is_balanced", "last_program", "strip_reasoning"]

_MARKER = re.compile(r"^(?://\s*)?#\s*(START|END)\s*:?\s*([\w.\-/]+?\.go)\s*#?$", re.IGNORECASE)
_PACKAGE_MAIN = re.compile(r"^[ \t]*package[ \t]+main\b", re.MULTILINE)
_FENCE = re.compile(r"\s*+(`{3,}+|~{3,}+)(.*+)")
_FENCE_START = re.compile(r"^[^\S\n]*+(?:`{3}|~{3})", re.MULTILINE)  # a line that may be a fence
_GO_NAME = re.compile(r"[\w\-]+\.go\b", re.IGNORECASE)
_THINK_TAG = re.compile(r"<(/?)think(?:ing)?>", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Invisible characters a line can start or end with: BOM, zero-width space, non-joiner and
# joiner, word joiner.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
FENCE_CHARS = "`~"


@dataclass(frozen=True)
class FileApi:
    """What an expected file must declare: its package and top-level identifiers."""

    package: str | None = None
    identifiers: tuple[str, ...] = ()


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


def normalise(text: str) -> str:
    """LF line endings, and no invisible character at the start or end of a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c in text for c in INVISIBLE):
        text = "\n".join(line.strip(INVISIBLE) for line in text.split("\n"))
    return text


def strip_reasoning(text: str) -> str:
    """Normalise the text and drop reasoning that precedes the answer."""
    text = normalise(text)
    if is_harmony(text):
        text = answer_text(text)
    return _drop_think(text)


def _drop_think(text: str) -> str:
    """Drop each `<think>...</think>` (an open tag to the nearest close), then everything up to the
    first close tag left alone, then everything from an open tag never closed (one pass)."""
    kept: list[str] = []
    length = 0
    position = 0
    first_lone_close: int | None = None
    open_at: int | None = None
    for tag in _THINK_TAG.finditer(text):
        closing = bool(tag[1])
        if open_at is not None:
            if closing:  # the pair and what it held are dropped
                open_at = None
                position = tag.end()
            continue
        kept.append(text[position : tag.start()])
        length += tag.start() - position
        position = tag.start()
        if closing:
            kept.append(tag[0])
            length += len(tag[0])
            position = tag.end()
            if first_lone_close is None:
                first_lone_close = length
        else:
            open_at = tag.start()
    result = "".join(kept)
    if open_at is None:
        result += text[position:]
    return result if first_lone_close is None else result[first_lone_close:]


def _fence(line: str) -> tuple[str, str] | None:
    """(fence, info string) when `line` is a fence line (CommonMark: three or more backticks or
    tildes, no backtick in a backtick fence's info string), else None. Indentation is not limited
    to CommonMark's three spaces: answers indent fences inside list items."""
    found = _FENCE.match(line)
    if found is None:
        return None
    fence, info = found[1], found[2].strip()
    return None if fence[0] == "`" and "`" in info else (fence, info)


def _closes(fence: tuple[str, str] | None, opening: str) -> bool:
    """True when a fence line closes a block opened by `opening`: same character, at least as long, no info."""
    return fence is not None and not fence[1] and fence[0][0] == opening[0] and len(fence[0]) >= len(opening)


def _strip_fences(lines: list[str]) -> str:
    lo, hi = 0, len(lines)
    while lo < hi and not lines[lo].strip():
        lo += 1
    while hi > lo and not lines[hi - 1].strip():
        hi -= 1
    opening = _fence(lines[lo]) if lo < hi else None
    if opening is not None:
        lo += 1
        if lo < hi and _closes(_fence(lines[hi - 1]), opening[0]):
            hi -= 1
    elif lo < hi and (closing := _fence(lines[hi - 1])) is not None and not closing[1]:
        hi -= 1
    return "\n".join(lines[lo:hi]).strip("\n") + "\n"


def _canonical(name: str) -> str:
    return name.rsplit("/", 1)[-1].lower()


def _marker_blocks(lines: list[str], ended_normally: bool) -> list[_Block]:
    markers = []
    for index, line in enumerate(lines):
        if "#" not in line:
            continue
        match = _MARKER.match(line.strip().strip("*`").strip())
        if match:
            markers.append((index, match.group(1).upper(), _canonical(match.group(2))))
    starts = [pos for pos, marker in enumerate(markers) if marker[1] == "START"]
    blocks: list[_Block] = []
    for k, pos in enumerate(starts):
        index, _, name = markers[pos]
        next_pos = starts[k + 1] if k + 1 < len(starts) else len(markers)
        next_start = markers[next_pos][0] if next_pos < len(markers) else None
        end = next((m for m in markers[pos + 1 : next_pos] if m[1] == "END" and m[2] == name), None)
        if end is not None:
            blocks.append(_Block(name, _strip_fences(lines[index + 1 : end[0]]), complete=True))
            continue
        stop = next_start if next_start is not None else len(lines)
        code = _strip_fences(lines[index + 1 : stop])
        complete = (
            (next_start is not None or ended_normally)
            and _PACKAGE_MAIN.search(code) is not None
            and is_balanced(code)
        )
        blocks.append(_Block(name, code, complete=complete))
    return blocks


def _fenced_blocks(text: str, lines: list[str], ended_normally: bool) -> list[_Block]:
    """The `package main` blocks among fenced code blocks, read as CommonMark reads them.

    A block closes only at a fence of its own character at least as long as its opening
    fence, so a four-backtick block may hold three-backtick ones. A block that holds
    fenced blocks of its own (an answer wrapped whole in an outer fence) is read for
    those inner blocks instead, at any depth (a stack, not recursion); it is a block of its
    own only when none of them holds a program.
    """
    fences = _Fences(lines, _line_numbers(_FENCE_START, text))
    programs = _line_numbers(_PACKAGE_MAIN, text)
    blocks: list[_Block] = []
    outer: list[tuple[int, int | None, int, int, bool]] = []  # opening, close, blocks before, hi, ended
    i, hi, ended = 0, len(lines), ended_normally
    while True:
        if i >= hi:
            if not outer:
                return blocks
            opening, close, count, end = outer[-1][0], outer[-1][1], outer[-1][2], hi
            i, hi, ended = end + 1, outer[-1][3], outer[-1][4]
            outer.pop()
            if len(blocks) == count:
                _add_block(lines, fences, programs, opening, close, end, ended, blocks)
            continue
        if fences.at[i] is None:
            i = fences.next_after(i, hi)
            continue
        close = fences.close_of(i, hi)
        end = close if close is not None else hi
        if fences.next_after(i, end) < end:  # fenced blocks inside: read them first
            outer.append((i, close, len(blocks), hi, ended))
            i, hi, ended = i + 1, end, ended and close is not None
            continue
        _add_block(lines, fences, programs, i, close, end, ended, blocks)
        i = end + 1


def _add_block(
    lines: list[str],
    fences: _Fences,
    programs: list[int],
    opening: int,
    close: int | None,
    end: int,
    ended_normally: bool,
    blocks: list[_Block],
) -> None:
    """The block of lines (opening, end) when a `package main` line is in it."""
    k = bisect.bisect_right(programs, opening)
    if k == len(programs) or programs[k] >= end:
        return
    body = lines[opening + 1 : end]
    code = "\n".join(body).strip("\n") + "\n"
    prose = next((lines[k] for k in range(opening - 1, max(opening - 4, -1), -1) if lines[k].strip()), "")
    complete = close is not None or (ended_normally and is_balanced(code))
    found = fences.at[opening]
    info = found[1] if found else ""
    blocks.append(_Block(None, code, complete, hint_text=" ".join([info, prose, *body[:3]])))


def _line_numbers(pattern: re.Pattern[str], text: str) -> list[int]:
    """The numbers of the lines where `pattern` (anchored at a line start) matches, in order."""
    numbers: list[int] = []
    number, counted = 0, 0
    for found in pattern.finditer(text):
        number += text.count("\n", counted, found.start())
        counted = found.start()
        if not numbers or numbers[-1] != number:
            numbers.append(number)
    return numbers


class _Fences:
    """The fence lines of a text, and where the closing fences of each character are."""

    def __init__(self, lines: list[str], candidates: list[int]) -> None:
        self.at: list[tuple[str, str] | None] = [None] * len(lines)
        self.numbers: list[int] = []
        self.closing: dict[str, list[int]] = {c: [] for c in FENCE_CHARS}
        self.closing_length: dict[str, list[int]] = {c: [] for c in FENCE_CHARS}
        for number in candidates:
            fence = _fence(lines[number])
            if fence is None:
                continue
            self.at[number] = fence
            self.numbers.append(number)
            if not fence[1]:
                self.closing[fence[0][0]].append(number)
                self.closing_length[fence[0][0]].append(len(fence[0]))

    def next_after(self, number: int, hi: int) -> int:
        """The first fence line after line `number`, or `hi` when there is none before it."""
        k = bisect.bisect_right(self.numbers, number)
        return self.numbers[k] if k < len(self.numbers) and self.numbers[k] < hi else hi

    def close_of(self, opening: int, hi: int) -> int | None:
        """The line that closes the block opened at line `opening`, before line `hi`, if any."""
        fence = self.at[opening]
        assert fence is not None
        numbers, lengths = self.closing[fence[0][0]], self.closing_length[fence[0][0]]
        k = bisect.bisect_right(numbers, opening)
        while k < len(numbers) and numbers[k] < hi:
            if lengths[k] >= len(fence[0]):
                return numbers[k]
            k += 1
        return None


def api_score(code: str, api: FileApi | None) -> int:
    """How much of `api` the code declares: two points an identifier, one for the package name."""
    if api is None or not (api.identifiers or api.package):
        return 0
    return _score(scan(code).programs, api)


def _score(programs: Sequence[Program], api: FileApi | None) -> int:
    if api is None:
        return 0
    declared = set().union(*(p.declared for p in programs))
    score = 2 * sum(name in declared for name in api.identifiers)
    if api.package and any(p.package == api.package for p in programs):
        score += 1
    return score


def _assign(
    blocks: list[_Block],
    missing: list[str],
    hints: Mapping[str, Sequence[str]],
    api: Mapping[str, FileApi],
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
        candidates = [b for b in unnamed if b.complete] or unnamed
        wanted = api.get(pending[0])
        scores = [api_score(b.code, wanted) for b in candidates]
        best = max(range(len(candidates)), key=lambda k: (scores[k], k))
        chosen[pending[0]] = candidates[best]
        return chosen
    for name in list(pending):
        keywords = hints.get(name, ())
        scored = [(sum(k in b.code for k in keywords), b) for b in unnamed]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            best_block = max(scored, key=lambda s: (s[0], s[1].complete))[1]
            chosen[name] = best_block
            unnamed.remove(best_block)
            pending.remove(name)
    if pending and len(unnamed) == len(pending):
        chosen.update(zip(pending, unnamed, strict=True))
    return chosen


def extract_files(
    response_text: str,
    expected: Sequence[str],
    finish_reason: str | None = None,
    content_hints: Mapping[str, Sequence[str]] | None = None,
    api: Mapping[str, FileApi] | None = None,
) -> Extraction:
    """Extract each expected Go file from a raw model response (see the module docstring)."""
    ended_normally = finish_reason != "length"
    text = strip_reasoning(response_text)
    lines = text.split("\n")
    wanted = {_canonical(name): name for name in expected}
    apis = {_canonical(k): v for k, v in (api or {}).items()}
    found: dict[str, _Block] = {}
    for block in _marker_blocks(lines, ended_normally):
        if block.name in wanted and (
            block.complete or block.name not in found or not found[block.name].complete
        ):
            found[block.name] = block
    missing = [n for n in wanted if n not in found]
    if missing:
        fenced = _fenced_blocks(text, lines, ended_normally)
        hints = {_canonical(k): v for k, v in (content_hints or {}).items()}
        found.update(_assign(fenced, missing, hints, apis))
        if not fenced and len(wanted) == 1 and missing:
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
            result.files[name] = _SURROGATE.sub("\ufffd", last_program(chosen.code, apis.get(key)))
    return result


def last_program(code: str, api: FileApi | None = None) -> str:
    """One whole program of a file block that restarts with a second `package main` clause.

    Models sometimes abandon a program half-way and write it again ("re-implementing the file")
    inside the same markers, or follow the answer with an example of its use. Each clause that
    begins a line outside comments and strings starts a program; the answer is the balanced
    program declaring most of `api`, the last such on a tie (like a file given twice, the last
    complete version), and the whole block when no program is balanced.
    """
    programs = scan(code).programs
    if len(programs) < 2:
        return code
    ends = [p.offset for p in programs[1:]] + [len(code)]
    balanced = [(p, end) for p, end in zip(programs, ends, strict=True) if p.balanced]
    if not balanced:
        return code
    scores = [_score([p], api) for p, _ in balanced]
    best, end = balanced[max(range(len(balanced)), key=lambda k: (scores[k], k))]
    return code[best.offset : end].strip("\n") + "\n"
