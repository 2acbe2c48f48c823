"""Repair-turn feedback (exams/feedback.py): what a grade tells the model, graded for real with the Go
toolchain, and the qualification gate's check that it names the failing tests and leaks nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import exams
from exams.feedback import (
    MAX_FEEDBACK_CHARS,
    allowed_turns,
    compiler_lines,
    feedback_message,
    feedback_problems,
)
from exams.gotest.exam import GoTask
from exams.manifest import ManifestError, load_manifest
from exams.types import Check, Grade, Verdict
from exams.verify import verify_exam

EXAM = "go-tasks/reverse"


def case_text(name: str) -> str:
    return {c.name: c for c in exams.get_exam(EXAM).qualification_cases()}[name].response_text


def reverse_task() -> GoTask:
    task = exams.get_exam(EXAM)
    assert isinstance(task, GoTask)
    return task


def test_go_tasks_allow_three_turns_and_the_article_exams_one() -> None:
    assert allowed_turns("go-tasks/lru") == 3
    assert allowed_turns("go-tasks") == 3
    assert (allowed_turns("v1"), allowed_turns("v2")) == (1, 1)


@pytest.mark.parametrize("turns", [0, 6, "2", True])
def test_a_manifest_turns_out_of_range_is_refused_naming_the_key(tmp_path: Path, turns: object) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ("README.md", "VALIDATION.md", "prompt.txt"):
        (folder / name).write_text("x")
    value = f'"{turns}"' if isinstance(turns, str) else str(turns).lower()
    (folder / "exam.toml").write_text(
        'name = "mine"\ntitle = "t"\ngrader = "gotest"\nmax_score = 1\nprompts = ["prompt.txt"]\n'
        f'reference = ["prompt.txt"]\nknown_bad = ["prompt.txt"]\nturns = {value}\n'
    )
    with pytest.raises(ManifestError, match="`turns` must be an integer from 1 to 5"):
        load_manifest(folder)


def test_failing_tests_are_named_with_what_go_test_printed_and_nothing_of_the_hidden_source() -> None:
    grade = exams.grade(EXAM, case_text("bytes"))
    message = feedback_message(grade, ("reverse.go",))
    assert message is not None
    assert "2 of 5 tests fail: TestReverseMultibyte, TestPalindromeUnicode." in message
    assert "- TestReverseMultibyte: task_test.go:24: Reverse(" in message
    assert "TestPalindromeUnicode" in message and "TestReverseASCII" not in message
    assert "#START reverse.go#" in message
    assert (
        feedback_problems(
            message, grade, ["TestReverseMultibyte", "TestPalindromeUnicode"], reverse_task().hidden_source()
        )
        == []
    )


def test_compiler_lines_name_the_models_file_and_hide_the_hidden_tests_paths() -> None:
    log = (
        "build failed: reverse/solution.go:3:40: undefined: x\n# gotasks/reverse\n"
        "reverse/solution.go:3:40: undefined: x\n"
        "0qs/reverse/task_test.go:12:5: too many arguments in call to reverse.Reverse\n"
    )
    assert compiler_lines(log, ("reverse.go",)) == [
        "reverse.go:3: undefined: x",
        "hidden test: too many arguments in call to reverse.Reverse",
    ]


def test_an_answer_that_does_not_compile_gets_the_compilers_lines() -> None:
    broken = "#START reverse.go#\npackage reverse\n\nfunc Reverse(s string) string { return nope }\n#END reverse.go#\n"
    grade = exams.grade(EXAM, broken)
    assert grade.verdict == Verdict.COMPILE_FAIL
    message = feedback_message(grade, ("reverse.go",))
    assert message is not None and "does not compile" in message
    assert (
        re.search(r"^reverse.go:\d+: undefined: nope$", message, re.MULTILINE)
        and "solution.go" not in message
    )


def test_no_file_found_says_so_and_asks_for_the_markers() -> None:
    grade = exams.grade(EXAM, "I cannot help with that.")
    assert grade.verdict == Verdict.EXTRACT_FAIL
    message = feedback_message(grade, ("reverse.go",))
    assert message is not None and message.startswith("No usable file was found")


@pytest.mark.parametrize(
    "verdict", [Verdict.OK, Verdict.TRUNCATED, Verdict.SERVER_ERROR, Verdict.GRADER_ERROR]
)
def test_a_pass_or_an_infrastructure_verdict_writes_no_feedback(verdict: Verdict) -> None:
    grade = Grade(EXAM, 0, 1, False, verdict, [], "v", 0.0, log="connection refused")
    assert feedback_message(grade, ("reverse.go",)) is None


def test_feedback_is_capped_however_many_tests_fail() -> None:
    checks = [Check(f"Test{i}", False, 0, 1, "x" * 2000) for i in range(50)]
    message = feedback_message(Grade(EXAM, 0, 1, True, Verdict.TEST_FAIL, checks, "v", 0.0), ("reverse.go",))
    assert message is not None and len(message) <= MAX_FEEDBACK_CHARS
    assert message.rstrip().endswith("as before.")


def test_the_gate_catches_feedback_that_leaks_an_expected_value_or_misses_a_test() -> None:
    grade = exams.grade(EXAM, case_text("keeps_punctuation"))
    hidden = reverse_task().hidden_source()
    leaked = "Your file compiles, but 1 of 5 tests fail.\n- TestPalindromePunctuation: want" + ' "race a car"'
    problems = feedback_problems(leaked, grade, ["TestPalindromePunctuation"], hidden)
    assert any("did not print" in p for p in problems), problems
    missing = feedback_problems(
        "Your file compiles, but a test fails.", grade, ["TestPalindromePunctuation"], hidden
    )
    assert missing == ["feedback does not name the failing test TestPalindromePunctuation"]


def test_the_qualification_gate_checks_each_known_bad_cases_feedback() -> None:
    results = verify_exam(EXAM)
    bad = [r for r in results if r.case.name in ("bytes", "keeps_punctuation")]
    assert len(bad) == 2 and all(r.passed for r in bad), [r.problems for r in bad]
    assert all(r.feedback_problems == [] for r in results)
