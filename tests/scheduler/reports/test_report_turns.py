"""Reports of repair turns: recorded two-turn conversations of two quants of one family, each turn
claimed, generated, graded (the real go-tasks grader) and stored through the job lifecycle in
Postgres, then reported: pass rates after each turn with intervals, tests fixed and regressed,
tokens per solved task, paired comparisons, and each job's turns in the HTML page."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from scheduler.core.settings import Settings
from scheduler.reports.html import render_html
from scheduler.reports.render import ReportFormat, render
from scheduler.reports.report import build_report
from tests.support.turns import RECORDED, recorded_answer, store_recorded_turns


@pytest.fixture
def report_sweep(settings: Settings) -> str:
    return store_recorded_turns(settings.database_url)


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
