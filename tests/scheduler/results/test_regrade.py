"""`scheduler regrade`: stored responses graded again by our graders, beside the published scores
(our own recordings, imported as published results)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.results.regrade import plan_regrade
from testkit.fakes.own_recordings import own_recordings_dir
from testkit.workers import fleet, query
from tests.support.reporting import load_article, report_json
from tests.support.scheduler_cli import run_cli


def _subset(tmp_path: Path, exam: str, *models: str) -> Path:
    """Only some models of one exam from our recordings (grading v2 takes minutes)."""
    root = tmp_path / "subset"
    for model in models:
        shutil.copytree(own_recordings_dir() / f"exam_{exam}" / model, root / f"exam_{exam}" / model)
    return root


def _tables(settings: Settings, sweep: str) -> dict[str, dict]:
    return {t["id"]: t for t in report_json(settings, sweep)["tables"]}


def test_local_regrade_puts_our_scores_beside_the_published_ones(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_article(settings, _subset(tmp_path, "v1", "gpt-oss-20b", "gemma4-26b-q4km"), "sub")
    assert "compare-responses" not in _tables(settings, "sub")
    status, out, _ = run_cli(["regrade", "--sweep", "sub", "--local"], capsys)
    assert status == 0 and "stored 6 grades" in out
    tables = _tables(settings, "sub")
    rows = tables["compare-responses"]["rows"]
    assert len(rows) == 6
    assert all(r[3] != "–" and r[4] != "–" for r in rows)
    assert tables["compare-responses"]["notes"] == ["6 of 6 responses regraded by our graders."]
    # The published grade is kept and unchanged; ours is a separate row with our grader version.
    grades = query(settings.database_url, "SELECT grader_version, external, round FROM grades ORDER BY id")
    assert [g["external"] for g in grades].count(True) == 6
    assert {g["grader_version"].split("-")[0] for g in grades if not g["external"]} == {"v1"}
    # The tables now use our grades, which agree with the cases' expected grades.
    ours = {s["model"]: s for s in report_json(settings, "sub")["stats"]}
    assert ours["gpt-oss-20b"]["verdicts"] == {"ok": 1, "test_fail": 2}
    assert ours["gemma4-26b-q4km"]["verdicts"] == {"ok": 1, "test_fail": 2}
    assert ours["gpt-oss-20b"]["mean_all_runs"] == pytest.approx((15 + 13 + 12) / 3)
    with connect(settings) as conn:
        again = plan_regrade(conn, "sub")
        forced = plan_regrade(conn, "sub", force=True)
    assert (len(again.items), again.already) == (0, 6)
    assert {i.grade_round for i in forced.items} == {2}


def test_regrade_skips_responses_that_are_missing(settings: Settings, tmp_path: Path) -> None:
    root = _subset(tmp_path, "v1", "gpt-oss-20b")
    (root / "exam_v1" / "gpt-oss-20b" / "seed123" / "response.txt").unlink()
    load_article(settings, root, "sub")
    with connect(settings) as conn:
        plan = plan_regrade(conn, "sub")
    assert len(plan.items) == 2
    assert any("no response text" in s for s in plan.skipped)


def test_regrade_of_an_unknown_sweep_is_one_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_cli(["regrade", "--sweep", "nope", "--local"], capsys)
    assert status == 1 and err.count("\n") == 1 and "no sweep named 'nope'" in err


@pytest.mark.slow
def test_regrade_through_the_cpu_pool_stores_grades_from_the_worker(
    settings: Settings, redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_article(settings, _subset(tmp_path, "v1", "gpt-oss-20b"), "sub")
    with fleet(settings.database_url, redis_url, tmp_path) as workers:
        workers.start("cpu", "cpu@regrade-test", "--concurrency", "1")
        status, out, err = run_cli(["regrade", "--sweep", "sub", "--wait", "240"], capsys)
        assert status == 0, err
        assert "sent 3 grade messages to queue cpu" in out and "3/3 graded" in out
    hosts = query(settings.database_url, "SELECT worker_name FROM grades WHERE NOT external")
    assert [h["worker_name"] for h in hosts] == ["cpu@regrade-test"] * 3
    rows = _tables(settings, "sub")["compare-responses"]["rows"]
    assert all(r[4] != "–" for r in rows)
