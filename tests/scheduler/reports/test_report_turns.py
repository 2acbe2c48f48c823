"""Reports of repair turns: recorded two-turn conversations of two quants of one family, each turn
claimed, generated, graded (the real go-tasks grader) and stored through the job lifecycle in
Postgres, then reported: pass rates after each turn with intervals, tests fixed and regressed,
tokens per solved task, paired comparisons, and each job's turns in the HTML page."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from scheduler.core.settings import Settings
from scheduler.db import lifecycle
from scheduler.db.catalog import upsert_models
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, Refused
from scheduler.db.vocabulary import Outcome
from scheduler.reports.html import render_html
from scheduler.reports.render import ReportFormat, render
from scheduler.reports.report import build_report
from scheduler.sweeps.catalog import Model
from testkit.workers import insert_jobs
from tests.support.turns import EXAM, TWO_TURN_PARAMS, recorded_answer
from worker.grading import grade_generation
from worker.turns import repair_feedback

# model -> seed -> the answer of each turn (qualification cases of the task): Q8 fixes what it got
# wrong on turn 2; Q4 fixes one seed and regresses on another.
RECORDED = {
    "fam-q8": {1: ["bytes", "reference"], 2: ["keeps_punctuation", "reference"], 3: ["reference"]},
    "fam-q4": {1: ["bytes", "reference"], 2: ["keeps_punctuation", "bytes"], 3: ["bytes", "bytes"]},
}


def run_conversation(job_id: int, answers: list[str]) -> None:
    """Each turn claimed, generated (the recorded answer), graded and stored, as the workers do."""
    for number, case in enumerate(answers, 1):
        claim = lifecycle.claim_generation(job_id, "gpu@test", None, 60)
        assert isinstance(claim, GenerationClaim) and claim.turn == number
        text = recorded_answer(case)
        record = GenerationRecord(
            Outcome.OK, response_text=text, finish_reason="stop", completion_tokens=len(text) // 4, wall_s=2.0
        )
        assert lifecycle.store_generation(claim, record) is not None
        grading = lifecycle.claim_grading(job_id, "cpu@test", 60)
        assert not isinstance(grading, Refused)
        grade = grade_generation(grading.generation)
        feedback = repair_feedback(grading.generation, grade)
        lifecycle.store_grade(
            job_id, grading.generation.id, grade, lease_owner=grading.lease_owner, feedback=feedback
        )
    assert isinstance(lifecycle.claim_generation(job_id, "gpu@test", None, 60), Refused)  # nothing left


@pytest.fixture
def report_sweep(settings: Settings) -> str:
    for model, seeds in RECORDED.items():
        job_ids = insert_jobs(settings.database_url, model, [EXAM], list(seeds), TWO_TURN_PARAMS)
        for job_id, answers in zip(job_ids, seeds.values(), strict=True):
            run_conversation(job_id, answers)
    with psycopg.connect(settings.database_url, row_factory=dict_row, autocommit=True) as conn:
        upsert_models(
            conn,
            [Model(m, f"Fam {m[-2:].upper()}", "fam", m[-2:].upper(), None) for m in RECORDED],
        )
    return "test"


def test_the_report_gives_pass_rates_after_each_turn_fixes_and_regressions(
    settings: Settings, report_sweep: str
) -> None:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        report = build_report(conn, report_sweep)
    table = next(t for t in report.tables if t.id == "turns")
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}
    q8, q4 = rows["Fam Q8"], rows["Fam Q4"]
    assert q8["Pass after turn 1 (95% CI)"].startswith("33% (")
    assert q8["Pass after turn 2 (95% CI)"].startswith("100% (")
    assert q4["Pass after turn 1 (95% CI)"].startswith("0% (") and q4[
        "Pass after turn 2 (95% CI)"
    ].startswith("33% (")
    # Q8: seed 1 fixes Multibyte and Unicode, seed 2 fixes Punctuation; Q4: seed 1 fixes two,
    # seed 2 fixes Punctuation and regresses Multibyte and Unicode.
    assert (q8["Tests fixed"], q8["Tests regressed"]) == ("3", "0")
    assert (q4["Tests fixed"], q4["Tests regressed"]) == ("3", "2")
    as_json = report.to_json()
    assert len(as_json["conversations"]) == 6  # one per job
    figures = {f["model"]: f for f in as_json["turns"]}
    assert (figures["fam-q8"]["pass_rate_1"], figures["fam-q8"]["pass_rate_last"]) == (1 / 3, 1.0)
    assert figures["fam-q4"]["tests_regressed"] == 2
    low, high = figures["fam-q4"]["pass_rate_last_ci"]
    assert low < 1 / 3 < high
    paired = next(t for t in report.tables if t.id == "turns-paired")
    assert [r[3] for r in paired.rows] == ["1", "2"] and all(r[4] == "3" for r in paired.rows)
    tokens_q8 = sum(len(recorded_answer(c)) // 4 for answers in RECORDED["fam-q8"].values() for c in answers)
    assert q8["Tokens per solved"] == f"{tokens_q8 / 3:,.0f}"
    assert "Repair turns" in render(report, ReportFormat.MD)


def test_the_html_report_shows_each_turns_answer_feedback_and_checks(
    settings: Settings, report_sweep: str
) -> None:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        page = render_html(build_report(conn, report_sweep))
    assert "Repair turns, job by job" in page
    assert "Fam Q4 · go-tasks/reverse · seed 2: test_fail → test_fail" in page
    assert "Feedback sent for turn 2:" in page and "TestPalindromePunctuation" in page
    assert "failing: TestReverseMultibyte, TestPalindromeUnicode" in page
