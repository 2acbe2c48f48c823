"""`scheduler export` and `scheduler import`: an import of an export into an empty database gives the
same report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from scheduler.core.settings import Settings
from scheduler.db import close_pool, connect
from scheduler.db.sweeps import sweep_names
from tests.support.reporting import RECORDED, load_recorded, report_json
from tests.support.rows import one
from tests.support.scheduler_cli import run_cli

CONTRACT = (
    "sweep",
    "model",
    "label",
    "quant",
    "exam",
    "seed",
    "score",
    "max_score",
    "compiled",
    "verdict",
    "finish_reason",
    "completion_tokens",
    "tokens_per_second",
    "checks",
)


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "created_at"}


def _add_our_grade_and_a_pending_job(settings: Settings) -> None:
    with connect(settings) as conn, conn.transaction():
        gen = one(
            conn.execute(
                "SELECT g.id FROM generations g JOIN jobs j ON j.id = g.job_id"
                " WHERE j.model = 'gpt-oss-20b' AND j.exam = 'v2' AND j.seed = 42"
            )
        )
        conn.execute(
            "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled, checks)"
            " VALUES (%s, 'v2-test', 9, 10, 'test_fail', true, %s)",
            (gen["id"], Jsonb([{"name": "OnlineFlow", "passed": True, "points": 1, "max_points": 1}])),
        )
        conn.execute(
            "UPDATE generations SET answer_source = 'reasoning',"
            " timings = coalesce(timings, '{}') || '{\"draft_n\": 40, \"draft_n_accepted\": 30}' WHERE id = %s",
            (gen["id"],),
        )
        conn.execute(
            "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state)"
            " VALUES (%s, 'gpt-oss-20b', 'v2', 7, 'h', '{}', 'queued')",
            (RECORDED,),
        )


def test_import_of_an_export_into_an_empty_database_reproduces_the_report(
    settings: Settings,
    fresh_database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_recorded(settings)
    _add_our_grade_and_a_pending_job(settings)
    before = report_json(settings, RECORDED)
    moved = next(s for s in before["stats"] if (s["model"], s["exam"]) == ("gpt-oss-20b", "v2"))
    assert (moved["from_reasoning"], moved["draft_accepted"], moved["draft_n"]) == (1, 30, 40)
    export = tmp_path / "recorded.jsonl"
    status, _, _ = run_cli(["export", "--sweep", RECORDED, "--out", str(export)], capsys)
    assert status == 0
    lines = [json.loads(x) for x in export.read_text().splitlines()]
    assert len(lines) == 13
    assert all(set(CONTRACT) <= set(line) for line in lines)
    graded = next(ln for ln in lines if (ln["model"], ln["exam"], ln["seed"]) == ("gpt-oss-20b", "v2", 42))
    assert (graded["score"], graded["grader_version"], len(graded["grades"])) == (9, "v2-test", 2)
    assert graded["generation"]["response_text"].strip()

    other_url = fresh_database_url  # a second migrated database, empty: the import's target
    monkeypatch.setenv("DATABASE_URL", other_url)
    from scheduler.core.settings import get_settings

    get_settings.cache_clear()
    close_pool()
    other = Settings(database_url=other_url)
    status, out, _ = run_cli(["import", str(export)], capsys)
    assert status == 0 and f"imported 13 jobs into sweep '{RECORDED}'" in out
    after = report_json(other, RECORDED)
    assert _comparable(after) == _comparable(before)
    status, _, err = run_cli(["import", str(export)], capsys)
    assert status == 1 and f"'{RECORDED}' already exists" in err
    get_settings.cache_clear()


def test_a_bad_export_line_names_the_line_and_writes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_recorded(settings)
    export = tmp_path / "a.jsonl"
    run_cli(["export", "--sweep", RECORDED, "--out", str(export)], capsys)
    lines = export.read_text().splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:5], "{not json", *lines[5:]]) + "\n")
    status, _, err = run_cli(["import", str(broken), "--sweep", "copy"], capsys)
    assert status == 1 and err.count("\n") == 1 and "broken.jsonl:6: not JSON" in err
    missing = tmp_path / "missing.jsonl"
    missing.write_text(json.dumps({"format": "quantsweep-export/1", "sweep": "x"}) + "\n")
    status, _, err = run_cli(["import", str(missing)], capsys)
    assert status == 1 and "missing.jsonl:1: missing field(s) model" in err
    with connect(settings) as conn:
        names = sweep_names(conn)
    assert names == [RECORDED]


def test_import_under_another_name_keeps_both_sweeps(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_recorded(settings)
    export = tmp_path / "a.jsonl"
    run_cli(["export", "--sweep", RECORDED, "--out", str(export)], capsys)
    status, _, _ = run_cli(["import", str(export), "--sweep", "copy"], capsys)
    assert status == 0
    original, copy = report_json(settings, RECORDED), report_json(settings, "copy")
    assert original["stats"] == copy["stats"]


def _import_an_older_export(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_older: Callable[[dict[str, Any]], None],
) -> None:
    """Export the recorded sweep, change each line as an older version wrote it, import it as `older`."""
    load_recorded(settings)
    export = tmp_path / "a.jsonl"
    run_cli(["export", "--sweep", RECORDED, "--out", str(export)], capsys)
    lines = [json.loads(x) for x in export.read_text().splitlines()]
    for line in lines:
        make_older(line)
    older = tmp_path / "older.jsonl"
    older.write_text("".join(json.dumps(line) + "\n" for line in lines))
    status, _, err = run_cli(["import", str(older), "--sweep", "older"], capsys)
    assert status == 0, err


def test_an_export_made_before_answer_source_was_recorded_imports_as_content(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def without_answer_source(line: dict[str, Any]) -> None:
        if line.get("generation"):
            del line["generation"]["answer_source"]

    _import_an_older_export(settings, tmp_path, capsys, without_answer_source)
    with connect(settings) as conn:
        sources = conn.execute(
            "SELECT DISTINCT g.answer_source FROM generations g JOIN jobs j ON j.id = g.job_id"
            " WHERE j.sweep = 'older'"
        ).fetchall()
    assert [r["answer_source"] for r in sources] == ["content"]


def test_an_export_made_before_grader_host_was_renamed_keeps_its_worker_names(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = []

    def with_grader_host(line: dict[str, Any]) -> None:
        for grade in line["grades"]:
            del grade["worker_name"]
            grade["grader_host"] = "cpu@old-export"
            renamed.append(grade)

    _import_an_older_export(settings, tmp_path, capsys, with_grader_host)
    assert renamed
    with connect(settings) as conn:
        names = conn.execute(
            "SELECT gr.worker_name, count(*) AS n FROM grades gr JOIN generations g"
            " ON g.id = gr.generation_id JOIN jobs j ON j.id = g.job_id WHERE j.sweep = 'older'"
            " GROUP BY 1"
        ).fetchall()
    assert [(r["worker_name"], r["n"]) for r in names] == [("cpu@old-export", len(renamed))]
