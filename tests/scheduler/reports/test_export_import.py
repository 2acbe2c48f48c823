"""`scheduler export` and `scheduler import`: an import of an export into an empty database gives the
same report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from scheduler.core.settings import Settings
from scheduler.db import close_pool, connect
from scheduler.db.sweeps import sweep_names
from scheduler.reports.exchange import import_lines, read_export, write_export
from scheduler.reports.report import build_report
from scheduler.reports.turn_tables import conversations_html
from tests.support.reporting import RECORDED, load_recorded, report_json
from tests.support.rows import one
from tests.support.scheduler_cli import run_cli
from tests.support.turns import store_recorded_turns

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


def _per_turn(database_url: str, sweep: str) -> dict[str, Any]:
    """Everything the report shows of the sweep's repair turns: the tables' rows and notes, the
    figures, each job's turns (without database ids) and the HTML section of them."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        report = build_report(conn, sweep)
    tables = {t.id: (t.columns, t.rows, t.notes) for t in report.tables if t.id.startswith("turns")}
    as_json = report.to_json()
    conversations = [{k: v for k, v in c.items() if k != "job_id"} for c in as_json["conversations"]]
    return {
        "tables": tables,
        "figures": as_json["turns"],
        "conversations": conversations,
        "html": conversations_html(report.conversations),
    }


def test_an_export_of_a_sweep_with_repair_turns_imports_with_every_turn(
    settings: Settings, fresh_database_url: str, tmp_path: Path
) -> None:
    sweep = store_recorded_turns(settings.database_url)
    original = _per_turn(settings.database_url, sweep)
    assert set(original["tables"]) == {"turns", "turns-paired"} and len(original["conversations"]) == 6
    export = tmp_path / "turns.jsonl"
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn, export.open("w") as out:
        assert write_export(conn, sweep, out) == 6
    lines = [json.loads(x) for x in export.read_text().splitlines()]
    two_turns = [ln for ln in lines if ln.get("earlier_turns")]
    assert len(two_turns) == 5 and all(ln["turn"] == 2 and ln["generation"]["turn"] == 2 for ln in two_turns)
    first = two_turns[0]["earlier_turns"][0]
    assert first["generation"]["turn"] == 1 and first["grades"][0]["feedback"].strip()
    solved_at_once = next(ln for ln in lines if not ln.get("earlier_turns"))
    assert "turn" not in solved_at_once and solved_at_once["generation"]["turn"] == 1

    with psycopg.connect(fresh_database_url, row_factory=dict_row) as conn:
        assert import_lines(conn, read_export(export)) == {sweep: 6}
        conn.commit()
    assert _per_turn(fresh_database_url, sweep) == original
    with psycopg.connect(fresh_database_url, row_factory=dict_row) as conn:
        turns = conn.execute(
            "SELECT j.turn AS job, array_agg(g.turn ORDER BY g.id) AS generations FROM jobs j"
            " JOIN generations g ON g.job_id = j.id GROUP BY j.id"
        ).fetchall()
    assert sorted((t["job"], t["generations"]) for t in turns) == [(1, [1])] + [(2, [1, 2])] * 5


def _two_turn_export(settings: Settings, tmp_path: Path) -> list[dict[str, Any]]:
    sweep = store_recorded_turns(settings.database_url)
    export = tmp_path / "turns.jsonl"
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn, export.open("w") as out:
        write_export(conn, sweep, out)
    return [json.loads(x) for x in export.read_text().splitlines()]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda ln: ln.update(earlier_turns="turn 1"), "earlier_turns must be a list of objects"),
        (
            lambda ln: ln["earlier_turns"][0]["generation"].update(turn=2),
            "earlier_turns[0].generation.turn must",
        ),
        (
            lambda ln: ln["earlier_turns"][0].update(generation=None),
            "earlier_turns[0].generation must be an object",
        ),
        (
            lambda ln: ln["earlier_turns"][0]["grades"][0].update(verdict="fine"),
            "earlier_turns[0].grades[0].verdict 'fine' is not one of",
        ),
        (lambda ln: ln.update(turn=0), "turn must be an integer from 1, got 0"),
        (lambda ln: ln.update(turn=1), "the generation answers turn 2, after the job's turn 1"),
    ],
)
def test_a_malformed_turns_field_is_refused_in_one_line_and_nothing_is_imported(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spoil: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    lines = _two_turn_export(settings, tmp_path)
    number = next(i for i, ln in enumerate(lines, 1) if ln.get("earlier_turns"))
    spoil(lines[number - 1])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(ln) + "\n" for ln in lines))
    status, _, err = run_cli(["import", str(bad), "--sweep", "copy"], capsys)
    assert status == 1 and err.count("\n") == 1, err
    assert f"bad.jsonl:{number}: {message}" in err and "nothing was imported" in err
    with connect(settings) as conn:
        assert sweep_names(conn) == ["test"]


def test_an_earlier_turn_the_database_refuses_leaves_nothing_half_written(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _two_turn_export(settings, tmp_path)
    spoilt = next(ln for ln in reversed(lines) if ln.get("earlier_turns"))
    spoilt["earlier_turns"][0]["grades"][0]["feedback"] = "x" * 20000  # above the column's limit
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(ln) + "\n" for ln in lines))
    status, _, err = run_cli(["import", str(bad), "--sweep", "copy"], capsys)
    assert status == 1 and err.count("\n") == 1 and "the database refused it" in err, err
    with connect(settings) as conn:
        assert sweep_names(conn) == ["test"]
        jobs = one(conn.execute("SELECT count(*) AS n FROM jobs WHERE sweep = 'copy'"))
    assert jobs["n"] == 0


def test_an_export_made_before_repair_turns_imports_as_one_turn(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def without_turns(line: dict[str, Any]) -> None:
        if line.get("generation"):
            del line["generation"]["turn"]
        for grade in line["grades"]:
            del grade["feedback"]

    _import_an_older_export(settings, tmp_path, capsys, without_turns)
    assert report_json(settings, "older")["stats"] == report_json(settings, RECORDED)["stats"]
    with connect(settings) as conn:
        turns = conn.execute(
            "SELECT DISTINCT j.turn AS job, g.turn AS generation FROM jobs j JOIN generations g ON g.job_id = j.id"
            " WHERE j.sweep = 'older'"
        ).fetchall()
    assert [(t["job"], t["generation"]) for t in turns] == [(1, 1)]
