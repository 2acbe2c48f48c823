"""The channel that carries a test binary's verdicts out, past the answer's code (see README.md).

    test_files(package, solution, hidden_tests, module) -> {path: source}   the module to `go test -c`
    TEST_DIR                       the directory of that module whose tests are compiled
    new_tokens(names) -> {name: token}    one-time pass tokens for one run of the binary
    write_tokens(run_dir, tokens)  put them where the guard's init reads (and deletes) them
    read_report(run_dir, tokens) -> Report    what the guard wrote: started, passed, failed

The hidden tests are compiled in their own directory (TEST_DIR), apart from the answer's package,
with a small package of ours under TEST_DIR/internal/ (exams/gotest/guard/guard.go) that the
answer's package can neither import nor precede at init. Every hidden top-level test starts with
`quantsweepTrack(t)` (inserted on its `func` line, so line numbers are kept), whose cleanup
reports the test's end; a pass counts only with the test's token of that run.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent / "guard"
GUARD_FILES = (HERE / "guard.go", HERE / "track_test.go")
TEST_DIR = "0qs"  # sorts before every task package (lower-case letters first), so its guard inits first
SOLUTION_FILE = "solution.go"
TOKENS_FILE = ".quantsweep-tokens"  # the names guard.go reads and writes, in the run dir
REPORT_FILE = ".quantsweep-report"
TRACK_CALL = "quantsweepTrack(t)"
# A hidden top-level test as gofmt writes it; task.py refuses a test file with any other shape.
TEST_FUNC = re.compile(r"^(func (Test[A-Z0-9_]\w*)\(t \*testing\.T\) \{)$", re.MULTILINE)


def tracked(hidden_tests: str) -> str:
    """The hidden tests with `quantsweepTrack(t)` as the first statement of each top-level test,
    on the same line as its `func`, so that compiler and test line numbers are unchanged."""
    return TEST_FUNC.sub(lambda m: f"{m.group(1)} {TRACK_CALL}", hidden_tests)


def test_files(package: str, solution: str, hidden_tests: str, module: str) -> dict[str, str]:
    """The files of the module that `go test -c ./TEST_DIR` compiles, keyed by path in the module."""
    track = (HERE / "track_test.go").read_text()
    for key, value in (("{package}", package), ("{module}", module), ("{test_dir}", TEST_DIR)):
        track = track.replace(key, value)
    return {
        f"{package}/{SOLUTION_FILE}": solution,
        f"{TEST_DIR}/task_test.go": tracked(hidden_tests),
        f"{TEST_DIR}/quantsweep_track_test.go": track,
        f"{TEST_DIR}/internal/guard/guard.go": (HERE / "guard.go").read_text(),
    }


def new_tokens(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """A fresh random pass token per top-level test, for one run of the binary."""
    return {name: secrets.token_hex(16) for name in names}


def write_tokens(run_dir: Path, tokens: dict[str, str]) -> None:
    """Write the tokens file the guard reads at init (before any code of the answer runs)."""
    path = run_dir / TOKENS_FILE
    path.write_text("".join(f"{name} {token}\n" for name, token in tokens.items()))
    path.chmod(0o600)


@dataclass
class Report:
    """What one run of the binary reported through the guard, in order of the lines."""

    started: list[str] = field(default_factory=list)
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


def read_report(run_dir: Path, tokens: dict[str, str]) -> Report:
    """The guard's report of one run. A pass without its run's token is ignored: the answer can
    write to the file (it runs as the same uid), but it cannot know a token. A start or a fail it
    writes can only cost itself a test."""
    report = Report()
    try:
        text = (run_dir / REPORT_FILE).read_bytes().decode(errors="replace")
    except OSError:
        return report
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        name, _, token = rest.partition(" ")
        if name not in tokens:
            continue
        if kind == "start" and name not in report.started:
            report.started.append(name)
        elif kind == "pass" and secrets.compare_digest(token, tokens[name]):
            report.passed.add(name)
        elif kind == "fail":
            report.failed.add(name)
    return report
