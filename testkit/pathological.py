"""Pathological answers: what a model stuck in a loop writes, at any size up to what a server sends
(max_tokens 16384 tokens: about 1 MB of text). Shared by the extraction tests and bench/extraction.py.

Each kind is a function of the size in characters; `KINDS` names them all. The code a kind holds
(when any) is the correct answer the tests expect to be extracted from it, given as `ANSWER`.
"""

from __future__ import annotations

from collections.abc import Callable

FILE = "reverse.go"
ANSWER = "package main\n\nfunc Reverse(s string) string {\n\treturn s\n}\n"
MARKED = f"#START {FILE}#\n{ANSWER}#END {FILE}#\n"


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def unclosed_fences(size: int) -> str:
    """16,384 and more fence openings that never close, as a looping model writes them."""
    return _repeat("```go\n", size)


def repeated_fences(size: int) -> str:
    """Closed fences again and again, each holding a short program."""
    return _repeat("```go\npackage main\n```\n", size)


def think_on_one_line(size: int) -> str:
    """`<think>` repeated on one line, never closed."""
    return _repeat("<think>", size)


def nested_fences(size: int) -> str:
    """Fences nested as deep as the size allows: each level one backtick longer than the one inside."""
    depth = 3
    while (depth + 1) * (depth + 2) < size:
        depth += 1
    openings = [("`" * n) + "go" for n in range(depth, 2, -1)]
    closings = ["`" * n for n in range(3, depth + 1)]
    return "\n".join([*openings, ANSWER, *closings]) + "\n"


def blank_lines(size: int) -> str:
    """Nothing but line breaks, then the answer."""
    return "\n" * size + MARKED


def repeated_markers(size: int) -> str:
    """START markers again and again, never ended."""
    return _repeat(f"#START {FILE}#\n", size)


def long_fence_line(size: int) -> str:
    """A fence line whose info string is a megabyte of spaces."""
    return "```" + " " * size + "x\n" + ANSWER + "```\n"


def backtick_runs(size: int) -> str:
    """One line of backtick runs of every length, separated by spaces."""
    return _repeat("``` `` ` ", size)


def harmony_headers(size: int) -> str:
    """Harmony channel headers again and again, no message text."""
    return _repeat("<|start|>assistant<|channel|>analysis", size) + "<|message|>"


def package_restarts(size: int) -> str:
    """A program that restarts with `package main` again and again inside one marker pair."""
    return f"#START {FILE}#\n" + _repeat("package main\nfunc f() {\n", size) + f"#END {FILE}#\n"


def open_comments(size: int) -> str:
    """Block comments opened and never closed, inside a fenced program."""
    return "```go\npackage main\n" + _repeat("/* ", size) + "\n```\n"


def invisible_prefixes(size: int) -> str:
    """Zero-width spaces and byte order marks filling one line, then the answer."""
    return _repeat("\ufeff\u200b", size) + "\n" + MARKED


KINDS: dict[str, Callable[[int], str]] = {
    f.__name__: f
    for f in (
        unclosed_fences,
        repeated_fences,
        think_on_one_line,
        nested_fences,
        blank_lines,
        repeated_markers,
        long_fence_line,
        backtick_runs,
        harmony_headers,
        package_restarts,
        open_comments,
        invisible_prefixes,
    )
}
