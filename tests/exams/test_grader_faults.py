"""Fault injection: every process a grader starts, ended by our doing, is grader_error with the cause.

Each time limit is shrunk in turn (v1: build, run; v2: plain build, -race build, harness) on a
response that earns full marks otherwise; the verdict must be grader_error naming what ended
it, never compile_fail, test_fail or a lost point. The rule these tests hold the graders to is
in `exams.sandbox.limits` and each exam's README.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain
from exams.sandbox import RUN_LIMITS, RunResult, Workspace, isolation_available
from exams.sandbox.jail import jail_argv
from exams.sandbox.limits import MODEL_TIMEOUT_MIN_S
from exams.sandbox.process import execute
from exams.types import Verdict
from exams.v1 import exam as v1_exam
from exams.v1.qualification import as_response, reference_sources
from exams.v2 import exam as v2_exam
from exams.v2.qualification import build_cases as v2_cases

SHRUNK_S = 0.001
V1_REFERENCE = as_response(reference_sources())


def assert_grader_error(exam: str, response: str, *causes: str) -> None:
    grade = exams.grade(exam, response)
    assert grade.verdict is Verdict.GRADER_ERROR, (grade.verdict, grade.log[-500:])
    assert grade.score == 0 and grade.checks == [] and not grade.verdict.is_model_outcome
    for cause in causes:
        assert cause in grade.log, grade.log[-500:]


def test_v1_build_past_our_time_limit_is_grader_error(
    monkeypatch: pytest.MonkeyPatch, go_toolchain: GoToolchain
) -> None:
    monkeypatch.setattr(v1_exam, "PROGRAM_BUILD_LIMITS", v1_exam.PROGRAM_BUILD_LIMITS.with_(wall_s=SHRUNK_S))
    assert_grader_error("v1", V1_REFERENCE, "factorial build: go build killed by our 0.001 s time limit")


def test_v1_run_past_a_time_limit_that_is_not_generous_is_grader_error(
    monkeypatch: pytest.MonkeyPatch, go_toolchain: GoToolchain
) -> None:
    monkeypatch.setattr(v1_exam, "PROGRAM_LIMITS", v1_exam.PROGRAM_LIMITS.with_(wall_s=SHRUNK_S))
    assert_grader_error(
        "v1", V1_REFERENCE, "factorial run killed by our 0.001 s time limit", "before a timeout counts"
    )


V2_REFERENCE = next(c for c in v2_cases() if c.name == "reference").response_text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("limits", "cause"),
    [
        ("PLAIN_BUILD_LIMITS", "\nbuild: go build killed by our 0.001 s time limit"),
        ("RACE_BUILD_LIMITS", "-race build: go build killed by our 0.001 s time limit"),
        ("HARNESS_LIMITS", "harness killed after"),
    ],
    ids=["plain_build", "race_build", "harness"],
)
def test_v2_process_past_our_time_limit_is_grader_error(
    limits: str, cause: str, monkeypatch: pytest.MonkeyPatch, go_toolchain: GoToolchain
) -> None:
    monkeypatch.setattr(v2_exam, limits, getattr(v2_exam, limits).with_(wall_s=SHRUNK_S))
    grade = exams.grade("v2", V2_REFERENCE)
    assert grade.verdict is Verdict.GRADER_ERROR and grade.checks == [], grade.log[-500:]
    assert cause in "\n" + grade.log, grade.log[-500:]


def run_result(**fields: object) -> RunResult:
    return RunResult(
        **{"exit_code": None, "stdout": b"", "stderr": b"", "duration_s": 5.0, "wall_limit_s": 5.0, **fields}  # type: ignore[arg-type]
    )


def test_a_run_starved_of_cpu_past_its_extended_limit_is_ours_a_quiet_one_the_programs() -> None:
    starved = run_result(timed_out=True, duration_s=15.0, cpu_wait_s=12.0)
    assert "waiting for a CPU" in (starved.grader_fault() or "")
    quiet = run_result(timed_out=True, duration_s=5.2, cpu_wait_s=0.1)
    assert quiet.grader_fault() is None
    extended_enough = run_result(timed_out=True, duration_s=9.0, cpu_wait_s=4.0)
    assert extended_enough.grader_fault() is None


def test_a_run_sigkilled_by_someone_else_is_ours_a_crash_exit_or_cpu_limit_is_the_programs() -> None:
    assert "out-of-memory killer" in (
        run_result(signal=signal.SIGKILL, cpu_s=0.2, cpu_limit_s=5).grader_fault() or ""
    )
    assert run_result(signal=signal.SIGKILL, cpu_s=6.0, cpu_limit_s=5).grader_fault() is None
    assert run_result(signal=signal.SIGSEGV).grader_fault() is None
    assert run_result(exit_code=2, duration_s=0.1).grader_fault() is None
    assert (
        run_result(
            timed_out=True, wall_limit_s=MODEL_TIMEOUT_MIN_S, duration_s=2.0, cpu_wait_s=0.0
        ).grader_fault()
        is None
    )


def test_a_build_is_ours_whenever_it_did_not_exit_by_itself() -> None:
    assert run_result(exit_code=1, duration_s=1.0).build_fault() is None
    assert "time limit" in (run_result(timed_out=True).build_fault() or "")
    assert "SIGKILL" in (run_result(signal=signal.SIGKILL).build_fault() or "")
    assert "cap" in (run_result(output_capped=True).build_fault() or "")


SPIN = "package main\n\nfunc main() {\n\tfor {\n\t}\n}\n"


def test_a_program_that_burns_its_cpu_limit_is_killed_by_its_own_doing(workspace: Workspace) -> None:
    spin = workspace.build({"spin": SPIN}).binaries["spin"]
    result = workspace.run([spin], limits=RUN_LIMITS.with_(wall_s=60, cpu_s=1))
    assert result.cpu_limit_exceeded and result.grader_fault() is None, result
    assert "CPU-time limit" in result.describe()


def test_a_program_that_loops_forever_on_a_quiet_grader_is_the_programs_failure(workspace: Workspace) -> None:
    spin = workspace.build({"spin": SPIN}).binaries["spin"]
    result = workspace.run([spin], limits=RUN_LIMITS.with_(wall_s=MODEL_TIMEOUT_MIN_S, cpu_s=30))
    assert result.timed_out and result.cpu_wait_s is not None
    if result.duration_s - result.cpu_wait_s >= 0.9 * MODEL_TIMEOUT_MIN_S:  # the machine let it run
        assert result.grader_fault() is None, result
    else:
        assert "waiting for a CPU" in (result.grader_fault() or ""), result


def _needs_isolation() -> None:
    if not isolation_available():
        message = "namespaces are not available here: no jail to fail"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_a_jail_that_cannot_be_set_up_is_a_sandbox_failure(tmp_path: Path) -> None:
    _needs_isolation()
    argv = jail_argv(tmp_path, "-", tmp_path / "missing", "", "", ["true"])
    result = execute(argv, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, limits=RUN_LIMITS, isolated=True)
    assert result.sandbox_error is not None and "cannot enter" in result.sandbox_error
    assert "sandbox failure" in (result.grader_fault() or "") and "sandbox failure" in (
        result.build_fault() or ""
    )


def test_a_program_cannot_fake_a_sandbox_failure(tmp_path: Path) -> None:
    _needs_isolation()
    script = 'echo "$QUANTSWEEP_JAIL_TOKEN: cannot enter /x" >&2; echo ": cannot enter /x" >&2; exit 125'
    argv = jail_argv(tmp_path, "-", tmp_path, "", "", ["sh", "-c", script])
    result = execute(argv, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, limits=RUN_LIMITS, isolated=True)
    assert result.exit_code == 125 and result.sandbox_error is None and result.grader_fault() is None
