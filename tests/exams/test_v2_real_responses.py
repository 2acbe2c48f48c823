"""Exam v2 on the article's 33 real responses: every one graded, none a grader error, the known fixes visible."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain
from exams.types import Grade, Verdict
from exams.v2.harness import TEST_NAMES


@pytest.fixture(scope="module")
def real_grades(article_results: Path, go_toolchain: GoToolchain) -> dict[str, Grade]:
    dirs = sorted((article_results / "exam_v2").glob("*/seed*"))
    assert len(dirs) == 33
    with ThreadPoolExecutor(2) as pool:
        grades = list(pool.map(lambda d: exams.grade("v2", (d / "response.txt").read_text()), dirs))
    return {f"{d.parent.name}/{d.name}": g for d, g in zip(dirs, grades, strict=True)}


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_real_response_gets_a_model_verdict_and_ten_checks(real_grades: dict[str, Grade]) -> None:
    for key, grade in real_grades.items():
        assert grade.verdict is not Verdict.GRADER_ERROR, (key, grade.log[-500:])
        assert [c.name for c in grade.checks] == list(TEST_NAMES), key
        assert grade.score == sum(c.points for c in grade.checks) and grade.max_score == 10


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_article_harness_bugs_do_not_reappear(real_grades: dict[str, Grade]) -> None:
    # markers inside a ```go fence: the article could not build it
    assert real_grades["gpt-oss-20b/seed456"].compiled
    # the article's harness crashed on it and reported 0 of 0
    assert real_grades["gemma4-26b-q5km/seed123"].max_score == 10
    assert real_grades["gemma4-26b-q5km/seed123"].compiled
    # the article failed BufferBounded for every model: correct bounded buffers pass it here
    bounded = [
        k for k, g in real_grades.items() if any(c.name == "BufferBounded" and c.passed for c in g.checks)
    ]
    assert len(bounded) >= 5
    # rand.Intn(0) panics are still caught
    zero_panics = [
        k
        for k, g in real_grades.items()
        for c in g.checks
        if c.name == "BufferSizeZero" and "Intn" in c.detail
    ]
    assert len(zero_panics) >= 5
