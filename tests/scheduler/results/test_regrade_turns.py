"""`scheduler regrade` of a sweep with repair turns: every turn's answer is graded by the current
grader, so the per-turn figures compare grades of one version; the conversation that happened (the
feedback sent, the job's verdict, its generations) stays as it was."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

import exams
from scheduler.core.settings import Settings
from scheduler.reports.html import render_html
from scheduler.reports.report import Report, build_report
from scheduler.results.regrade import grade_locally, plan_regrade
from testkit.workers import query
from tests.support.scheduler_cli import run_cli
from tests.support.turns import EXAM, store_recorded_turns

OLD = "old-grader-0"
SECONDS = "Seconds per solved"  # grading time differs from one grade to the next


def _report(settings: Settings, sweep: str) -> Report:
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return build_report(conn, sweep)


def _turn_rows(report: Report) -> list[dict[str, str]]:
    table = next(t for t in report.tables if t.id == "turns")
    return [{c: v for c, v in zip(table.columns, r, strict=True) if c != SECONDS} for r in table.rows]


def _turn_figures(report: Report) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "seconds_per_solved"} for f in report.to_json()["turns"]]


def _grade_turn_one_by_an_old_lenient_grader(settings: Settings) -> None:
    """Turn 1's grades as an older grader version made them: every test passed."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE grades gr SET grader_version = %s, verdict = 'ok', score = gr.max_score,"
            " checks = (SELECT coalesce(jsonb_agg(c || '{\"passed\": true}'), '[]') FROM jsonb_array_elements(gr.checks) c)"
            " FROM generations g WHERE g.id = gr.generation_id AND g.turn = 1",
            (OLD,),
        )


@pytest.fixture
def regraded_sweep(settings: Settings) -> tuple[str, Report]:
    """The recorded two-turn sweep and its report as first graded; then turn 1 regraded by an older,
    lenient grader version."""
    sweep = store_recorded_turns(settings.database_url)
    original = _report(settings, sweep)
    _grade_turn_one_by_an_old_lenient_grader(settings)
    return sweep, original


def test_a_regrade_grades_every_turn_and_the_per_turn_figures_use_the_new_grades(
    settings: Settings, regraded_sweep: tuple[str, Report], capsys: pytest.CaptureFixture[str]
) -> None:
    sweep, original = regraded_sweep
    current = exams.get_exam(EXAM).grader_version
    mixed = _report(settings, sweep)
    # Before: turn 1 by the old grader, the last turn by the current one, and the report says so.
    assert _turn_figures(mixed) != _turn_figures(original)
    assert {f["model"]: f["pass_rate_1"] for f in mixed.to_json()["turns"]} == {"fam-q4": 1.0, "fam-q8": 1.0}
    notes = next(t for t in mixed.tables if t.id == "turns").notes
    assert any(f"2 grader versions ({current}, {OLD})" in n for n in notes)
    before = query(
        settings.database_url,
        "SELECT j.id, j.state, j.verdict, j.turn, count(g.id) AS generations FROM jobs j"
        " JOIN generations g ON g.job_id = j.id GROUP BY j.id ORDER BY j.id",
    )
    feedback = query(
        settings.database_url, "SELECT id, feedback FROM grades WHERE feedback IS NOT NULL ORDER BY id"
    )
    assert len(feedback) == 5  # each two-turn job's first turn

    status, out, err = run_cli(["regrade", "--sweep", sweep, "--local"], capsys)
    assert status == 0, err
    # 6 turn-1 answers (5 two-turn jobs and one solved on turn 1), the 5 turn-2 answers already current.
    assert f"{sweep}: 6 responses to grade across turns 1 to 2, 5 already graded" in out
    assert "stored 6 grades" in out

    after = _report(settings, sweep)
    assert _turn_rows(after) == _turn_rows(original)
    assert _turn_figures(after) == _turn_figures(original)
    assert not any("grader versions" in n for n in next(t for t in after.tables if t.id == "turns").notes)
    used = query(
        settings.database_url,
        "SELECT DISTINCT ON (g.id) g.turn, gr.grader_version FROM generations g"
        " JOIN grades gr ON gr.generation_id = g.id ORDER BY g.id, gr.id DESC",
    )
    assert len(used) == 11 and {u["grader_version"] for u in used} == {current}
    # The conversation that happened is history: same feedback rows, jobs, verdicts, generations.
    assert (
        query(settings.database_url, "SELECT id, feedback FROM grades WHERE feedback IS NOT NULL ORDER BY id")
        == feedback
    )
    assert (
        query(
            settings.database_url,
            "SELECT j.id, j.state, j.verdict, j.turn, count(g.id) AS generations FROM jobs j"
            " JOIN generations g ON g.job_id = j.id GROUP BY j.id ORDER BY j.id",
        )
        == before
    )
    assert "Feedback sent for turn 2:" in render_html(after)
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        again = plan_regrade(conn, sweep)
    assert (len(again.items), again.already) == (0, 11)


def test_a_regrade_of_an_earlier_turn_leaves_the_jobs_verdict_to_its_last_turn(
    settings: Settings, regraded_sweep: tuple[str, Report]
) -> None:
    sweep, _ = regraded_sweep
    verdicts = query(settings.database_url, "SELECT id, verdict FROM jobs ORDER BY id")
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        plan = plan_regrade(conn, sweep, force=True)
        assert {(i.turn, i.grade_round) for i in plan.items} == {(1, 1), (2, 2)}
        plan.items.reverse()  # the workers take messages in any order: turn 1 graded last
        assert grade_locally(conn, plan) == 11
    # Q8 seed 1 failed turn 1 and passed turn 2: its verdict stays ok.
    assert query(settings.database_url, "SELECT id, verdict FROM jobs ORDER BY id") == verdicts
    assert "test_fail" in {v["verdict"] for v in verdicts} and "ok" in {v["verdict"] for v in verdicts}


def test_a_regrade_grades_again_a_turn_whose_newest_grade_is_by_another_version(
    settings: Settings, regraded_sweep: tuple[str, Report]
) -> None:
    """A current-version grade older than another version's is not the one the report uses."""
    sweep, _ = regraded_sweep
    with psycopg.connect(settings.database_url, row_factory=dict_row, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled, checks)"
            " SELECT g.id, %s, 1, 1, 'ok', true, '[]' FROM generations g WHERE g.turn = 2",
            (OLD,),
        )
        plan = plan_regrade(conn, sweep)
    assert {(i.turn, i.grade_round) for i in plan.items} == {(1, 1), (2, 2)}
    assert (len(plan.items), plan.already) == (11, 0)
