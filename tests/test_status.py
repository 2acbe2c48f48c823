"""`scheduler status`: jobs per state and machine, the model each GPU machine holds, rate and ETA."""

from __future__ import annotations

import io
import json
import re
import threading
from typing import Any

import pytest

from scheduler.db import connect
from scheduler.settings import Settings
from scheduler.status import collect, plain_lines, watch
from tests.reporting import run_cli


def _setup(conn: Any) -> list[int]:
    conn.execute("INSERT INTO models (id, label, family) VALUES ('m1', 'M1', 'f'), ('m2', 'M2', 'f')")
    conn.execute("INSERT INTO sweeps (name, definition) VALUES ('s', '{}'), ('other', '{}')")
    ids = []
    for model, seed, state in [("m1", 1, "done"), ("m1", 2, "done"), ("m1", 3, "generating"),
                               ("m2", 1, "queued"), ("m2", 2, "queued"), ("m2", 3, "grading")]:
        ids.append(conn.execute(
            "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state, finished_at)"
            " VALUES ('s', %s, 'v1', %s, 'h', '{}', %s, CASE WHEN %s = 'done' THEN now() END) RETURNING id",
            (model, seed, state, state)).fetchone()["id"])
    conn.execute("INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state)"
                 " VALUES ('other', 'm1', 'v1', 9, 'h', '{}', 'queued')")
    conn.execute("INSERT INTO workers (name, host, pool, served_models, loaded_model) VALUES"
                 " ('gpu@box1', 'box1', 'gpu', '{m1,m2}', 'm1'), ('cpu@box1', 'box1', 'cpu', '{}', NULL)")
    for job_id, state in [(ids[0], "finished"), (ids[1], "finished"), (ids[2], "running")]:
        conn.execute("INSERT INTO attempts (job_id, number, worker_host, state) VALUES (%s, 1, 'gpu@box1', %s)",
                     (job_id, state))
    conn.execute("UPDATE jobs SET verdict = 'ok' WHERE state = 'done'")
    conn.commit()
    return ids


def test_status_counts_states_machines_and_the_loaded_model(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
        snap = collect(conn, "s")
        everything = collect(conn)
    assert snap.total == 6 and everything.total == 7
    assert snap.states == {"pending": 0, "queued": 2, "generating": 1, "generated": 0, "grading": 1, "done": 2}
    gpu = next(m for m in snap.machines if m.pool == "gpu")
    assert (gpu.name, gpu.loaded_model, gpu.running, gpu.finished) == ("gpu@box1", "m1", 1, 2)
    assert snap.jobs_per_hour == pytest.approx(2 * 3600 / 900)
    assert snap.eta_s == pytest.approx(4 / snap.jobs_per_hour * 3600)
    lines = plain_lines(snap)
    assert lines[0].startswith("s: 2/6 done (queued=2 generating=1 grading=1 done=2)")
    assert any("gpu gpu@box1 model=m1 running=1 finished=2" in line for line in lines)


def test_status_json_is_one_object(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with connect(settings) as conn:
        _setup(conn)
    status, out, _ = run_cli(["status", "--sweep", "s", "--json"], capsys)
    data = json.loads(out)
    assert status == 0 and data["done"] == 2 and data["total"] == 6 and data["verdicts"] == {"ok": 2}


def test_watch_prints_plain_lines_off_a_terminal_and_returns_when_all_jobs_are_done(settings: Settings) -> None:
    with connect(settings) as conn:
        ids = _setup(conn)

    def finish_the_rest() -> None:
        with connect(settings) as conn:
            conn.execute("UPDATE jobs SET state = 'done', finished_at = now() WHERE id = ANY(%s)", (ids,))
            conn.commit()

    out = io.StringIO()
    timer = threading.Timer(1.0, finish_the_rest)
    timer.start()
    try:
        snap = watch(settings, "s", interval_s=0.2, timeout_s=120, out=out)
    finally:
        timer.cancel()
    assert snap.done == snap.total == 6
    text = out.getvalue()
    assert "s: 2/6 done" in text and "s: 6/6 done" in text and "\x1b[" not in text


def test_status_says_which_worker_stopped_and_which_went_silent(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
        conn.execute("UPDATE workers SET info = '{\"state\": \"stopped\"}',"
                     " last_seen_at = now() - interval '23 minutes 5 seconds' WHERE name = 'cpu@box1'")
        conn.execute("UPDATE workers SET info = '{\"state\": \"running\"}',"
                     " last_seen_at = now() - interval '10 minutes' WHERE name = 'gpu@box1'")
        conn.commit()
        snap = collect(conn, "s")
    lines = plain_lines(snap)
    assert any(line.startswith("  cpu cpu@box1 ") and line.endswith("(stopped 23m ago)") for line in lines), lines
    assert any(line.startswith("  gpu gpu@box1 ") and line.endswith("(silent for 10m)") for line in lines), lines
    assert {m.name: m.state for m in snap.machines} == {"cpu@box1": "stopped", "gpu@box1": "running"}


def test_watch_off_a_terminal_repeats_its_summary_while_nothing_changes(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
    out = io.StringIO()
    watch(settings, "s", interval_s=0.1, heartbeat_s=0.5, timeout_s=2.5, out=out)
    lines = out.getvalue().splitlines()
    assert len([line for line in lines if "] s: 2/6 done" in line]) >= 3, lines
    assert all(re.match(r"\[\d+m\d\ds\] ", line) for line in lines), lines
