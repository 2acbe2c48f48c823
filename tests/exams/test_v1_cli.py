"""The `exams` CLI: one-line errors, grading a response file, and the v1 qualification gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exams.golang import GoToolchain
from exams.v1.qualification import as_response, reference_sources
from tests.support.exams_cli import run_exams


def test_list_shows_v1_with_its_maximum() -> None:
    code, out = run_exams("list")
    assert code == 0 and any(line.startswith("v1\tmax 15\t") for line in out.splitlines())


def test_prompt_prints_the_marker_contract() -> None:
    code, out = run_exams("prompt", "--exam", "v1")
    assert code == 0 and "#START name.go#" in out and "filetreewalk.go" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grade", "--exam", "v9", "x.txt"), "exams: error: unknown exam 'v9'"),
        (("prompt", "--exam", "nope"), "exams: error: unknown exam 'nope'"),
        (
            ("grade", "--exam", "v1", "/nonexistent/response.txt"),
            "exams: error: cannot read /nonexistent/response.txt",
        ),
    ],
)
def test_bad_input_prints_one_line_and_exits_non_zero(args: tuple[str, ...], message: str) -> None:
    code, out = run_exams(*args)
    assert code != 0
    assert out.startswith(message) and out.count("\n") == 1 and "Traceback" not in out


def test_grade_json_prints_exactly_one_design_object(go_toolchain: GoToolchain, tmp_path: Path) -> None:
    response = tmp_path / "response.txt"
    response.write_text(as_response(reference_sources()))
    code, out = run_exams("grade", "--exam", "v1", str(response), "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["score"], data["max_score"], data["verdict"], data["compiled"]) == (15, 15, "ok", True)


def test_grade_with_finish_reason_length_reports_truncation(
    go_toolchain: GoToolchain, tmp_path: Path
) -> None:
    response = tmp_path / "response.txt"
    response.write_text("#START factorial.go#\npackage main\nfunc main() {\n")
    code, out = run_exams("grade", "--exam", "v1", str(response), "--finish-reason", "length")
    assert code == 0 and out.splitlines()[0].startswith("v1: no score, truncated (")


@pytest.mark.slow
@pytest.mark.timeout(1200)  # 31 cases x 5, the hostile answers' hangs and hogs among them
def test_verify_v1_with_five_repeats_passes(go_toolchain: GoToolchain) -> None:
    code, out = run_exams("verify", "--exam", "v1", "--repeat", "5")
    assert code == 0, out
    assert out.strip().splitlines()[-1].endswith("cases as expected over 5 repeat(s)")
    assert "FAIL" not in out
