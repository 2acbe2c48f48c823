"""The inputs v1's programs are run on, and the answers every reasonable reading gives.

wordfreq reads `data/wordfreq_input.txt`: mixed case (each top word appears in
lower, Title and UPPER case), punctuation attached only to words that occur
once, double spaces, indented and blank lines. The ten most frequent words have
distinct counts (19 down to 7) and the eleventh has at most 4, so tie order is
irrelevant and every tokenisation in `WORD_READINGS` gives the same top ten.

filetreewalk walks a tree made by `make_tree` in the run dir: ten regular files
of distinct sizes (one empty) spread over nested directories, an empty
directory, and one symlink to a file (`SYMLINK`), which may be listed or not.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
FACTORIAL_10 = 3628800
TOP_N = 10

# Relative path -> size in bytes of every regular file in the tree.
TREE_FILES: dict[str, int] = {
    "zeta.bin": 40000,
    "docs/guide.txt": 12345,
    "alpha.txt": 5120,
    "docs/deep/deeper/leaf.dat": 3333,
    "src/main.c": 2048,
    "notes.md": 1500,
    "src/lib/util.h": 999,
    "beta.log": 777,
    "docs/deep/readme": 64,
    "empty.txt": 0,
}
TREE_DIRS = ("emptydir",)
SYMLINK = ("link-to-zeta", "zeta.bin")  # (link path, target): not a regular file, listing it is optional
TREE_ROOT = "tree"


def make_tree(run_dir: Path) -> Path:
    """Create the filetreewalk input tree under `run_dir`; return its root."""
    root = run_dir / TREE_ROOT
    for rel, size in TREE_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes((i * 7 + 3) % 251 for i in range(size)))
    for rel in TREE_DIRS:
        (root / rel).mkdir(parents=True, exist_ok=True)
    os.symlink(SYMLINK[1], root / SYMLINK[0])
    return root


def symlink_sizes() -> set[int]:
    """Sizes a program may print for the symlink: its own (lstat) or its target's (stat)."""
    return {len(SYMLINK[1]), TREE_FILES[SYMLINK[1]]}


@cache
def wordfreq_input() -> str:
    """The text fed to wordfreq on stdin."""
    return (DATA_DIR / "wordfreq_input.txt").read_text()


def _fields(line: str) -> list[str]:
    return line.lower().split()


def _fields_trimmed(line: str) -> list[str]:
    words = (w.strip("\"'()[]{}.,;:!?-—") for w in line.lower().split())
    return [w for w in words if w]


def _letters(line: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", line.lower())


def _word_chars(line: str) -> list[str]:
    return re.findall(r"[\w']+", line.lower())


WORD_READINGS: dict[str, Callable[[str], list[str]]] = {
    "split on whitespace": _fields,
    "split on whitespace, trim punctuation": _fields_trimmed,
    "runs of letters": _letters,
    "runs of letters, digits, apostrophes": _word_chars,
}


def count_words(text: str, reading: Callable[[str], list[str]]) -> Counter[str]:
    """Word counts of `text` under one reading of "word"."""
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        counts.update(reading(line))
    return counts


@cache
def expected_top_words() -> tuple[tuple[str, int], ...]:
    """The top ten (word, count) pairs, which every reading agrees on (checked here)."""
    answers = set()
    for name, reading in WORD_READINGS.items():
        ranked = count_words(wordfreq_input(), reading).most_common()
        if ranked[TOP_N - 1][1] <= ranked[TOP_N][1]:
            raise AssertionError(f"wordfreq input has a tie at the top-{TOP_N} boundary under {name!r}")
        answers.add(tuple(ranked[:TOP_N]))
    if len(answers) != 1:
        raise AssertionError("wordfreq input: readings of 'word' disagree on the top ten")
    return answers.pop()
