"""Running a compiled test binary until every top-level test has a verdict.

A Go test binary stops at the first panic or deadlock (a crashed goroutine takes the process
down), and `-test.timeout` ends it when a test hangs. Both are the candidate's failures, but they
must cost only the test that was running: the binary is run again with `-test.skip` for every test
already judged, until all are judged. Each run is an untrusted sandboxed process.

    run_tests(ws, binary, names, race=...) -> TestRun
    TestRun.outcomes   {test name: TestOutcome} for every name, in the given order
    TestRun.fault      the cause when a run ended by our doing (the grade is then grader_error)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exams.gotest.guard import Report, new_tokens, read_report, write_tokens
from exams.gotest.toolchain import test2json_events
from exams.sandbox import RUN_LIMITS, Limits, RunResult, Workspace

DEFAULT_TEST_TIMEOUT_S = 20.0  # -test.timeout of one run: far above a correct solution's milliseconds
SANDBOX_MARGIN_S = 25.0  # our wall-clock limit is this much above -test.timeout, so Go's fires first
MAX_HUNG_RUNS = 2  # after this many runs ended by -test.timeout, the unjudged tests fail unrun
DETAIL_CHARS = 300
INIT_HANG_CPU_S = 2.0  # CPU seconds of package init, before any test started, that make a hang


def run_limits(test_timeout_s: float, *, race: bool) -> Limits:
    """The sandbox limits of one test binary run. A -race binary maps terabytes of shadow memory,
    so it gets no address-space limit (its CPU time and processes stay capped)."""
    limits = RUN_LIMITS.with_(
        wall_s=test_timeout_s + SANDBOX_MARGIN_S,
        cpu_s=int(2 * test_timeout_s) + 20,
        max_output_bytes=4 * 1024 * 1024,
        kill_past_output_cap=False,  # the verdicts do not come from the output: keep what fits, judge
        cpu_charge_s=test_timeout_s,  # CPU a hung run had: what -test.timeout gives a test on an idle machine
    )
    return limits.with_(memory_bytes=None) if race else limits


_PANIC = re.compile(r"^(panic: .*|fatal error: .*|WARNING: DATA RACE)$", re.MULTILINE)


@dataclass(frozen=True)
class TestOutcome:
    """One top-level test's verdict on the candidate."""

    passed: bool
    detail: str


@dataclass
class TestRun:
    """All runs of one test binary."""

    outcomes: dict[str, TestOutcome] = field(default_factory=dict)
    runs: int = 0
    fault: str = ""


def _skip_pattern(names: Sequence[str]) -> str:
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


def _failure_detail(outputs: Sequence[str]) -> str:
    lines = [line.strip() for text in outputs for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith(("=== ", "--- "))]
    return " | ".join(lines)[:DETAIL_CHARS] or "failed"


def _crash_reason(result: RunResult) -> str:
    stderr = result.stderr.decode(errors="replace")
    match = _PANIC.search(stderr) or _PANIC.search(result.stdout.decode(errors="replace"))
    if match:
        return match.group(1)[:DETAIL_CHARS]
    return f"the test binary ended ({result.describe()}) while this test ran"


def _details(events: list[dict[str, object]], names: Sequence[str]) -> dict[str, str]:
    """Each failed test's own output lines, for the reader only: text the answer prints can land
    here, and nothing here decides a verdict."""
    outputs: dict[str, list[str]] = {}
    for event in events:
        test = event.get("Test")
        if isinstance(test, str) and event.get("Action") == "output" and test.split("/", 1)[0] in names:
            outputs.setdefault(test.split("/", 1)[0], []).append(str(event.get("Output", "")))
    return {name: _failure_detail(lines) for name, lines in outputs.items()}


def _hang_reason(result: RunResult) -> str:
    return (
        f"the test binary hung and was {result.describe()}, its own code running all that time "
        "(a loop in package init, which -test.timeout does not cover, or in a test)"
    )


def _init_hang(result: RunResult, report: Report) -> bool:
    """A run we killed before any test started, after package init had INIT_HANG_CPU_S of CPU: the
    answer's init (ours ends in microseconds) looping, however busy the machine was."""
    return result.timed_out and not report.started and (result.cpu_run_s or 0.0) >= INIT_HANG_CPU_S


def _judge(result: RunResult, report: Report, names: Sequence[str], run: TestRun) -> bool:
    """Record one run's verdicts from the guard's report; True when the run judged some test."""
    details = _details(test2json_events(result.stdout), names)
    hung = result.timed_out or result.cpu_limit_exceeded  # wall clock or CPU: whichever came first
    reason = _hang_reason(result) if hung else _crash_reason(result)
    before = len(run.outcomes)
    for name in names:
        if name in run.outcomes:
            continue
        if name in report.passed:
            run.outcomes[name] = TestOutcome(True, "passed")
        elif name in report.failed:
            run.outcomes[name] = TestOutcome(False, details.get(name, "failed"))
        elif name in report.started:  # began and never ended: the crash, exit or hang was in it
            run.outcomes[name] = TestOutcome(False, reason)
    if len(run.outcomes) > before:
        return True
    # The binary ended before any test ended (init panic or hang, os.Exit before the tests).
    for name in names:
        run.outcomes.setdefault(name, TestOutcome(False, "not run: " + reason))
    return False


def run_tests(
    ws: Workspace,
    binary: Path,
    names: Sequence[str],
    *,
    race: bool,
    test_timeout_s: float = DEFAULT_TEST_TIMEOUT_S,
) -> TestRun:
    """Run the binary's tests `names` (top-level) until each has passed or failed."""
    run = TestRun()
    limits = run_limits(test_timeout_s, race=race)
    hung = 0
    while len(run.outcomes) < len(names):
        argv: list[str | Path] = [
            binary,
            "-test.v=test2json",
            f"-test.timeout={test_timeout_s:g}s",
            "-test.count=1",
        ]
        judged = [n for n in names if n in run.outcomes]
        if judged:
            argv += ["-test.skip", _skip_pattern(judged)]
        tokens = new_tokens([n for n in names if n not in run.outcomes])
        run_dirs: list[Path] = []

        def setup(run_dir: Path, tokens: dict[str, str] = tokens, run_dirs: list[Path] = run_dirs) -> None:
            run_dirs.append(run_dir)
            write_tokens(run_dir, tokens)

        result = ws.run(argv, limits=limits, setup=setup)
        run.runs += 1
        report = read_report(run_dirs[0], tokens)
        fault = None if _init_hang(result, report) else result.grader_fault()
        if fault is not None:
            run.fault = f"test binary run {run.runs}: {fault}"
            return run
        _judge(result, report, names, run)
        hung += result.timed_out or "test timed out" in _crash_reason(result)
        if hung >= MAX_HUNG_RUNS:
            for name in names:
                run.outcomes.setdefault(name, TestOutcome(False, f"not run: the tests hung {hung} times"))
    run.outcomes = {name: run.outcomes[name] for name in names}
    return run
