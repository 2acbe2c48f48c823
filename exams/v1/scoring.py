"""How v1 judges each program's stdout: 0 to 3 points, graduated (see README.md).

Each scorer takes the program's stdout (text) and returns (points, detail).
Lines are compared with surrounding whitespace removed and blank lines ignored;
stderr is never looked at.
"""

from __future__ import annotations

import itertools
import re

from exams.v1.inputs import FACTORIAL_10, SYMLINK, TREE_FILES, TREE_ROOT, expected_top_words, symlink_sizes

Score = tuple[int, str]


def _lines(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip()]


def _shown(lines: list[str], limit: int = 3) -> str:
    return " | ".join(lines[:limit]) + (" ..." if len(lines) > limit else "") if lines else "(no output)"


def score_factorial(stdout: str) -> Score:
    """3: exactly `3628800`; 2: 3628800 with other text; 1: the value in another notation; 0: otherwise."""
    lines = _lines(stdout)
    if lines == [str(FACTORIAL_10)]:
        return 3, "prints 3628800"
    if any(re.search(rf"(?<![\d.]){FACTORIAL_10}(?![\d.])", line) for line in lines):
        return 2, f"right value, but with other text: {_shown(lines)}"
    for token in re.findall(r"[\d.,_eE+]+", stdout):
        try:
            if float(token.replace(",", "").replace("_", "")) == FACTORIAL_10:
                return 1, f"right value in another notation: {token}"
        except ValueError:
            continue
    return 0, f"expected 3628800, got: {_shown(lines)}"


_WORD_LINE = re.compile(r"^(\S+): (\d+)$")
_LOOSE_PAIR = re.compile(r"([^\W\d_][\w'\-]*)\W+?(\d+)\s*$")


def score_wordfreq(stdout: str) -> Score:
    """3: the exact ten `word: count` lines; 2: right pairs and order, other format or extra lines;
    1: at least half of the ten pairs; 0: otherwise."""
    expected = [(w, c) for w, c in expected_top_words()]
    lines = _lines(stdout)
    if lines == [f"{w}: {c}" for w, c in expected]:
        return 3, "exact top ten"
    pairs = []
    for line in lines:
        loose = _LOOSE_PAIR.search(line)
        if loose:
            pairs.append((loose.group(1).lower(), int(loose.group(2))))
    hits = [p for p in pairs if p in expected]
    if hits == expected:
        odd = [line for line in lines if not _WORD_LINE.match(line)]
        return 2, f"right words, counts and order, but other lines or format: {_shown(odd)}"
    found = len(set(hits))
    if found * 2 >= len(expected):
        order = "descending" if hits == sorted(hits, key=lambda p: -p[1]) else "not count-descending"
        return 1, f"{found}/{len(expected)} expected pairs, {order}, {len(lines)} lines"
    return 0, f"{found}/{len(expected)} expected pairs; got: {_shown(lines)}"


def _relative(printed: str) -> str:
    """The path relative to the tree root, whether printed as walked (absolute) or relative to it."""
    path = printed.strip()
    marker = f"/{TREE_ROOT}/"
    if path.startswith("/") and marker in path:
        path = path.split(marker, 1)[1]
    return path.removeprefix("./")


def score_filetreewalk(stdout: str) -> Score:
    """3: every file once with its size, size-descending, nothing else; 2: same with extra lines;
    1: at least half the files with the right sizes; 0: otherwise."""
    lines = _lines(stdout)
    seen: dict[str, int] = {}
    sizes: list[int] = []
    extra: list[str] = []
    for line in lines:
        match = re.match(r"^(\d+)\s+(\S.*)$", line)
        rel = _relative(match.group(2)) if match else ""
        size = int(match.group(1)) if match else -1
        if match and TREE_FILES.get(rel) == size and rel not in seen:
            seen[rel] = size
            sizes.append(size)
        elif match and rel == SYMLINK[0] and size in symlink_sizes():
            sizes.append(size)  # listing the symlink is optional either way
        else:
            extra.append(line)
    complete = len(seen) == len(TREE_FILES)
    descending = all(a >= b for a, b in itertools.pairwise(sizes))
    if complete and descending and not extra:
        return 3, f"all {len(TREE_FILES)} files, size-descending"
    if complete and descending:
        return 2, f"all files, size-descending, but {len(extra)} other lines: {_shown(extra)}"
    if len(seen) * 2 >= len(TREE_FILES):
        order = "size-descending" if descending else "not size-descending"
        return 1, f"{len(seen)}/{len(TREE_FILES)} files with right sizes, {order}, {len(extra)} other lines"
    return 0, f"{len(seen)}/{len(TREE_FILES)} files with right sizes; got: {_shown(lines)}"
