"""Exam v1: output scoring rubric, inputs that make ambiguity irrelevant, and every qualification case."""

from __future__ import annotations

import pytest

import exams
from exams.golang import GoToolchain
from exams.registry import QualificationCase, get_exam
from exams.types import Verdict
from exams.v1.inputs import TREE_FILES, WORD_READINGS, count_words, expected_top_words, wordfreq_input
from exams.v1.qualification import DEFECTS, apply_defect, reference_sources
from exams.v1.scoring import score_factorial, score_filetreewalk, score_wordfreq
from exams.verify import CaseResult

TOP = "".join(f"{w}: {c}\n" for w, c in expected_top_words())
ROOT = "/tmp/qs-abc/run-3/tree"
LISTING = "".join(f"{size} {ROOT}/{rel}\n" for rel, size in TREE_FILES.items())


def test_every_reading_of_word_gives_the_same_top_ten_with_a_gap_after_it() -> None:
    for reading in WORD_READINGS.values():
        ranked = count_words(wordfreq_input(), reading).most_common()
        assert tuple(ranked[:10]) == expected_top_words()
        assert ranked[9][1] > ranked[10][1]
    counts = [c for _, c in expected_top_words()]
    assert len(set(counts)) == 10  # no ties inside the top ten either


def test_case_sensitive_counting_gets_none_of_the_top_ten_right() -> None:
    sensitive = count_words(wordfreq_input(), str.split).most_common(10)
    assert not set(sensitive) & set(expected_top_words())


@pytest.mark.parametrize(
    ("stdout", "points"),
    [
        ("3628800\n", 3),
        ("  3628800  \n\n", 3),
        ("10! = 3628800\n", 2),
        ("Computing...\n3628800\n", 2),
        ("3.6288e+06\n", 1),
        ("3,628,800\n", 1),
        ("362880\n", 0),
        ("36288000\n", 0),
        ("", 0),
    ],
)
def test_factorial_output_points(stdout: str, points: int) -> None:
    assert score_factorial(stdout)[0] == points


def test_wordfreq_exact_top_ten_earns_three_points_and_trailing_spaces_are_ignored() -> None:
    assert score_wordfreq(TOP)[0] == 3
    assert score_wordfreq(TOP.replace("\n", "  \n") + "\n\n")[0] == 3


def test_wordfreq_right_pairs_in_another_format_or_with_a_header_earn_two_points() -> None:
    assert score_wordfreq(TOP.replace(": ", " = "))[0] == 2
    assert score_wordfreq("Top words:\n" + TOP)[0] == 2


def test_wordfreq_sorted_ascending_loses_order_points() -> None:
    assert score_wordfreq("".join(reversed(TOP.splitlines(keepends=True))))[0] == 1


def test_wordfreq_top_nine_or_wrong_counts_earn_at_most_one_point() -> None:
    lines = TOP.splitlines(keepends=True)
    assert score_wordfreq("".join(lines[:9]))[0] == 1
    assert score_wordfreq("".join(lines[:4]))[0] == 0
    assert score_wordfreq(TOP.replace("river: 19", "river: 18"))[0] == 1


def test_filetreewalk_full_listing_earns_three_points_with_any_path_style() -> None:
    assert score_filetreewalk(LISTING)[0] == 3
    relative = "".join(f"{size} {rel}\n" for rel, size in TREE_FILES.items())
    assert score_filetreewalk(relative)[0] == 3
    assert score_filetreewalk(relative.replace(" ", "\t", 1))[0] == 3


def test_filetreewalk_symlink_may_be_listed_with_either_size_or_left_out() -> None:
    with_target_size = f"40000 {ROOT}/link-to-zeta\n" + LISTING
    assert score_filetreewalk(with_target_size)[0] == 3
    lines = LISTING.splitlines(keepends=True)
    with_own_size = "".join(lines[:-1]) + f"8 {ROOT}/link-to-zeta\n" + lines[-1]
    assert score_filetreewalk(with_own_size)[0] == 3
    assert score_filetreewalk(f"123 {ROOT}/link-to-zeta\n" + LISTING)[0] == 2


def test_filetreewalk_directories_or_missing_files_lose_points() -> None:
    assert score_filetreewalk(f"4096 {ROOT}/docs\n" + LISTING)[0] == 2
    lines = LISTING.splitlines(keepends=True)
    assert score_filetreewalk("".join(reversed(lines)))[0] == 1
    assert score_filetreewalk("".join(lines[:5]))[0] == 1
    assert score_filetreewalk("".join(lines[:4]))[0] == 0
    assert score_filetreewalk(LISTING.replace("12345 ", "12346 "))[0] == 1
    assert score_filetreewalk(LISTING.replace(ROOT, "tree"))[0] == 0  # walked the wrong directory


def test_every_defect_edit_matches_the_reference_exactly_once() -> None:
    reference = reference_sources()
    for defect in DEFECTS:
        assert apply_defect(reference[defect.program], defect) != reference[defect.program]


CASES = get_exam("v1").qualification_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_qualification_case_gets_exactly_its_expected_grade(
    go_toolchain: GoToolchain, case: QualificationCase
) -> None:
    grade = exams.grade("v1", case.response_text)
    # the gate's own rule: exact score, verdict and checks, or a hostile answer's bound
    assert CaseResult("v1", case, [grade]).problems == [], grade.checks


def test_a_length_cut_response_is_truncated_not_a_model_failure(go_toolchain: GoToolchain) -> None:
    text = CASES[0].response_text
    cut = text[: text.index("#END filetreewalk.go#") - 40]
    grade = exams.grade("v1", cut, finish_reason="length")
    assert grade.verdict == Verdict.TRUNCATED and not grade.verdict.is_model_outcome
    assert "filetreewalk.go" in grade.log


def test_a_length_cut_response_with_complete_code_is_graded_normally(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v1", CASES[0].response_text + "\nThese programs", finish_reason="length")
    assert grade.verdict == Verdict.OK and grade.score == 15


def test_grade_json_has_the_design_contract_fields(go_toolchain: GoToolchain) -> None:
    data = exams.grade("v1", CASES[0].response_text).to_json()
    assert set(data) == {
        "exam",
        "score",
        "max_score",
        "compiled",
        "verdict",
        "checks",
        "grader_version",
        "duration_s",
    }
    assert [c["name"] for c in data["checks"]][:3] == ["factorial.build", "factorial.run", "factorial.output"]
    assert data["grader_version"].startswith("v1-")


def test_an_unknown_exam_is_an_operator_error() -> None:
    with pytest.raises(exams.UnknownExamError, match="unknown exam 'v9'"):
        exams.grade("v9", "")
