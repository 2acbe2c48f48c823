"""Exam v2: the harness's own Go tests, the grade contract, harness failures and every qualification case."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain, gocache_dir
from exams.registry import QualificationCase, get_exam
from exams.types import Verdict
from exams.v2 import exam as v2_exam
from exams.v2.harness import SOURCE_DIR, TEST_NAMES, HarnessFailure, parse_report
from exams.v2.qualification import DEFECTS, apply_defect, as_response, build_cases, reference_source

CASES = {case.name: case for case in build_cases()}


def test_harness_go_unit_tests_pass(go_toolchain: GoToolchain) -> None:
    env = {
        "PATH": f"{go_toolchain.goroot / 'bin'}:/usr/bin:/bin",
        "HOME": str(gocache_dir().parent),
        "GOCACHE": str(gocache_dir()),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "CGO_ENABLED": "0",
    }
    done = subprocess.run(
        [str(go_toolchain.go), "test", "./..."],
        check=False,
        cwd=SOURCE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_prompt_holds_the_task_the_markers_and_the_whole_baseline() -> None:
    text = get_exam("v2").prompt()
    baseline = (SOURCE_DIR.parent / "baseline" / "scraper.go").read_text()
    assert "#START scraper.go#" in text and "#END scraper.go#" in text
    assert "-buffer-size" in text and "{baseline}" not in text
    assert baseline.strip() in text


def test_every_defect_edit_matches_the_reference_exactly_once() -> None:
    for defect in DEFECTS:
        assert apply_defect(reference_source(), defect) != reference_source()


def test_a_response_without_code_is_extract_fail_with_ten_failed_checks() -> None:
    grade = exams.grade("v2", "I would add a buffer, but here is no code.\n")
    assert grade.verdict is Verdict.EXTRACT_FAIL
    assert grade.score == 0 and grade.max_score == 10 and not grade.compiled
    assert [c.name for c in grade.checks] == list(TEST_NAMES)


def test_a_program_that_does_not_build_is_compile_fail_naming_the_error(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v2", CASES["does_not_build"].response_text)
    assert grade.verdict is Verdict.COMPILE_FAIL and grade.score == 0
    assert "build failed" in grade.checks[0].detail and "scraper.go:" in grade.checks[0].detail


@pytest.mark.parametrize(
    ("stdout", "reason"),
    [
        (b"", "no JSON report"),
        (b"{not json", "no JSON report"),
        (b'{"harness_error": "sink listen: address in use", "tests": []}', "sink listen"),
        (b'{"tests": [{"name": "OnlineFlow", "passed": true}]}', "expected"),
    ],
)
def test_a_broken_harness_report_is_a_harness_failure(stdout: bytes, reason: str) -> None:
    with pytest.raises(HarnessFailure, match=reason):
        parse_report(stdout)


def _fake_harness(tmp_path: Path, script: str) -> Path:
    path = tmp_path / "fake_harness"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    tmp_path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    "script",
    [
        "echo 'panic: harness bug' >&2; exit 2\n",
        'echo \'{"harness_error": "OnlineFlow: sink listen: no ports", "tests": []}\'\n',
        "sleep 600\n",
    ],
    ids=["crashes", "reports_its_own_error", "hangs"],
)
def test_a_failing_harness_is_grader_error_never_a_score(
    script: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, go_toolchain: GoToolchain
) -> None:
    monkeypatch.setattr(v2_exam, "harness_binary", lambda: _fake_harness(tmp_path, script))
    monkeypatch.setattr(v2_exam, "HARNESS_LIMITS", v2_exam.HARNESS_LIMITS.with_(wall_s=3.0))
    grade = exams.grade("v2", CASES["reference"].response_text)
    assert grade.verdict is Verdict.GRADER_ERROR
    assert grade.score == 0 and grade.checks == [] and not grade.compiled
    assert grade.max_score == 10  # never 0 of 0


def test_grade_json_has_the_design_contract_fields(go_toolchain: GoToolchain) -> None:
    out = exams.grade("v2", CASES["reference"].response_text).to_json()
    assert set(out) >= {
        "exam",
        "score",
        "max_score",
        "compiled",
        "verdict",
        "checks",
        "grader_version",
        "duration_s",
    }
    assert json.loads(json.dumps(out))["checks"][0]["name"] == "OnlineFlow"


def _assert_case(case: QualificationCase) -> None:
    grade = exams.grade("v2", case.response_text)
    got = {c.name: c.passed for c in grade.checks}
    details = {c.name: c.detail for c in grade.checks if got[c.name] != case.expected_checks.get(c.name)}
    assert got == case.expected_checks, details
    assert grade.score == case.expected_score
    assert grade.verdict is case.expected_verdict


def test_reference_scores_full_marks(go_toolchain: GoToolchain) -> None:
    _assert_case(CASES["reference"])


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in CASES if n != "reference"])
def test_qualification_case_loses_exactly_its_points(name: str, go_toolchain: GoToolchain) -> None:
    _assert_case(CASES[name])


@pytest.mark.slow
def test_an_unlocked_buffer_loses_only_the_race_point_even_with_the_markers_in_a_fence(
    go_toolchain: GoToolchain,
) -> None:
    case = CASES["unlocked_buffer_read"]
    fenced = as_response(
        apply_defect(reference_source(), next(d for d in DEFECTS if d.name == case.name)), True
    )
    grade = exams.grade("v2", fenced)
    assert grade.score == 9 and not next(c for c in grade.checks if c.name == "RaceDetector").passed
    assert "data race" in next(c.detail for c in grade.checks if c.name == "RaceDetector")


@pytest.mark.slow
def test_a_build_constraint_line_keeps_neither_build_from_the_file(go_toolchain: GoToolchain) -> None:
    # `go build -race scraper.go` ignores the constraints of a file it is given, as the plain
    # build does: a `//go:build !race` line costs nothing (it once cost the race point).
    source = "//go:build !race\n\n" + reference_source()
    grade = exams.grade("v2", as_response(source, False))
    assert (grade.verdict, grade.score) == (Verdict.OK, 10), [c.detail for c in grade.checks if not c.passed]


# Before main (but not for -h, so the harness learns the flags), touches 32 MiB at a time up to
# 3 GiB: resident memory, not just reserved address space. Plain runs die at their address-space
# limit; the -race run only at the harness's cap. The total is bounded so that a missing cap fails
# this test rather than the machine.
MEMORY_HOG = """

var kept [][]byte

func init() {
	for _, arg := range os.Args[1:] {
		if arg == "-h" || arg == "-help" || arg == "--help" {
			return
		}
	}
	for total := 0; total < 3<<30; total += 32 << 20 {
		chunk := make([]byte, 32<<20)
		for i := range chunk {
			chunk[i] = 1
		}
		kept = append(kept, chunk)
	}
}
"""


@pytest.mark.slow
def test_a_race_run_that_eats_memory_is_killed_at_the_resident_memory_cap(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v2", as_response(reference_source() + MEMORY_HOG, False))
    assert grade.verdict is not Verdict.GRADER_ERROR, grade.log
    assert grade.score == 0, [c.detail for c in grade.checks if c.passed]
    race = next(c for c in grade.checks if c.name == "RaceDetector")
    limit_mib = v2_exam.RACE_RSS_LIMIT_BYTES >> 20
    assert not race.passed and f"over the {limit_mib} MiB limit" in race.detail, race.detail
