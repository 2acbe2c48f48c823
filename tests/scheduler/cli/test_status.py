"""`scheduler status`: jobs per state and machine, the model each GPU machine holds, rate and ETA."""

from __future__ import annotations

import io
import json
import re
import threading
from typing import Any

import pytest

from scheduler.cli.status import collect, plain_lines, watch
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.reports import cells
from tests.support.scheduler_cli import run_cli


def _setup(conn: Any) -> list[int]:
    """Sweep `s`: 2 done (finished 5 and 1 minutes ago, started 10 minutes ago), one generating on
    gpu@box1 under a live lease, one grading whose worker is gone (lease expired), two queued."""
    conn.execute("INSERT INTO models (id, label, family) VALUES ('m1', 'M1', 'f'), ('m2', 'M2', 'f')")
    conn.execute("INSERT INTO sweeps (name, definition) VALUES ('s', '{}'), ('other', '{}')")
    ids = []
    for model, seed, state, ago_s in [
        ("m1", 1, "done", 300),
        ("m1", 2, "done", 60),
        ("m1", 3, "generating", None),
        ("m2", 1, "queued", None),
        ("m2", 2, "queued", None),
        ("m2", 3, "grading", None),
    ]:
        ids.append(
            conn.execute(
                "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state, finished_at)"
                " VALUES ('s', %s, 'v1', %s, 'h', '{}', %s, now() - make_interval(secs => %s)) RETURNING id",
                (model, seed, state, ago_s),
            ).fetchone()["id"]
        )
    conn.execute(
        "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state)"
        " VALUES ('other', 'm1', 'v1', 9, 'h', '{}', 'queued')"
    )
    conn.execute(
        "INSERT INTO workers (name, host, role, served_models) VALUES"
        " ('gpu@box1', 'box1', 'gpu', '{m1,m2}'), ('cpu@box1', 'box1', 'cpu', '{}')"
    )
    for job_id, state in [
        (ids[0], "finished"),
        (ids[1], "finished"),
        (ids[2], "running"),
        (ids[5], "running"),
    ]:
        conn.execute(
            "INSERT INTO attempts (job_id, number, worker_name, state, started_at)"
            " VALUES (%s, 1, 'gpu@box1', %s, now() - interval '600 seconds')",
            (job_id, state),
        )
    conn.execute(
        "UPDATE jobs SET lease_owner = 'gpu@box1#a1', lease_expires_at = now() + interval '60 seconds'"
        " WHERE id = %s",
        (ids[2],),
    )
    conn.execute(
        "UPDATE jobs SET lease_owner = 'cpu@gone#b2', lease_expires_at = now() - interval '90 seconds'"
        " WHERE id = %s",
        (ids[5],),
    )
    conn.execute("UPDATE jobs SET verdict = 'ok' WHERE state = 'done'")
    conn.commit()
    return ids


def test_status_counts_states_live_claims_and_orphaned_ones(settings: Settings) -> None:
    with connect(settings) as conn:
        ids = _setup(conn)
        snap = collect(conn, "s")
        everything = collect(conn)
    assert snap.total == 6 and everything.total == 7
    assert snap.states == {
        "pending": 0,
        "queued": 2,
        "generating": 1,
        "generated": 0,
        "grading": 1,
        "done": 2,
    }
    gpu = next(m for m in snap.machines if m.role == "gpu")
    assert (gpu.name, gpu.loaded_model, gpu.running, gpu.finished) == ("gpu@box1", None, 1, 2)
    assert [(o["job_id"], o["state"], o["worker"]) for o in snap.orphaned] == [
        (ids[5], "grading", "cpu@gone")
    ]
    lines = plain_lines(snap)
    assert lines[0].startswith("s: 2/6 done (queued=2 generating=1 grading=1 done=2)")
    assert any(f"gpu gpu@box1 model={cells.EMPTY} running=1 finished=2" in line for line in lines)
    stuck = next(line for line in lines if line.startswith("stuck:"))
    assert "1 claim(s) of lost workers" in stuck and "no reconciler has run" in stuck, stuck


def test_rate_and_eta_come_from_the_observed_window_not_a_fixed_one(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
        snap = collect(conn, "s")
    # 2 jobs in the 600 s since the sweep's first attempt: 12 jobs/h, so 4 remaining take 20 minutes.
    assert snap.window_s == pytest.approx(600, abs=5)
    assert snap.jobs_per_hour == pytest.approx(12, rel=0.02)
    assert snap.eta_s == pytest.approx(1200, rel=0.02)


def test_no_eta_while_nothing_finishes(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
        conn.execute("UPDATE jobs SET state = 'queued', verdict = NULL, finished_at = NULL")
        conn.commit()
        fresh = collect(conn, "s")
        # 5 jobs done within 10 s, nearly 10 minutes ago (one every 2 minutes on average), none since
        conn.execute(
            "UPDATE jobs SET state = 'done', verdict = 'ok', finished_at = now() - interval '590 seconds'"
            " WHERE sweep = 's' AND NOT (model = 'm1' AND seed = 3)"
        )
        conn.execute(  # run by a worker, as every job a sweep finishes here
            "INSERT INTO attempts (job_id, number, worker_name, state, started_at)"
            " SELECT id, 1, 'gpu@box1', 'finished', now() - interval '600 seconds' FROM jobs j"
            " WHERE state = 'done' AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.job_id = j.id)"
        )
        conn.commit()
        stalled = collect(conn, "s")
    assert fresh.eta_s is None and fresh.no_eta == "no job finished yet"
    assert (
        stalled.eta_s is None
        and stalled.no_eta is not None
        and stalled.no_eta.startswith("nothing finished for")
    )
    assert "no ETA: nothing finished for" in plain_lines(stalled)[0]


def test_status_of_a_sweep_that_does_not_exist_fails_with_one_line(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(["status", "--sweep", "nosuch"], capsys)
    assert status == 1 and out == ""
    assert err.startswith("scheduler: error: no sweep 'nosuch'") and err.count("\n") == 1


def test_status_json_is_one_object(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with connect(settings) as conn:
        _setup(conn)
    status, out, _ = run_cli(["status", "--sweep", "s", "--json"], capsys)
    data = json.loads(out)
    assert status == 0 and data["done"] == 2 and data["total"] == 6 and data["verdicts"] == {"ok": 2}
    assert sorted((m["name"], m["role"], m["host"]) for m in data["machines"]) == [
        ("cpu@box1", "cpu", "box1"),
        ("gpu@box1", "gpu", "box1"),
    ]


def test_watch_prints_plain_lines_off_a_terminal_and_returns_when_all_jobs_are_done(
    settings: Settings,
) -> None:
    with connect(settings) as conn:
        ids = _setup(conn)

    def finish_the_rest() -> None:
        with connect(settings) as conn:
            conn.execute(
                "UPDATE jobs SET state = 'done', verdict = 'ok', finished_at = now() WHERE id = ANY(%s)",
                (ids,),
            )
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
        conn.execute(
            'UPDATE workers SET info = \'{"state": "stopped"}\','
            " last_seen_at = now() - interval '23 minutes 5 seconds' WHERE name = 'cpu@box1'"
        )
        conn.execute(
            'UPDATE workers SET info = \'{"state": "running"}\','
            " last_seen_at = now() - interval '10 minutes' WHERE name = 'gpu@box1'"
        )
        conn.commit()
        snap = collect(conn, "s")
    lines = plain_lines(snap)
    assert any(line.startswith("  cpu cpu@box1 ") and line.endswith("(stopped 23m ago)") for line in lines), (
        lines
    )
    assert any(line.startswith("  gpu gpu@box1 ") and line.endswith("(silent for 10m)") for line in lines), (
        lines
    )
    assert {m.name: m.state for m in snap.machines} == {"cpu@box1": "stopped", "gpu@box1": "running"}


def test_watch_off_a_terminal_repeats_its_summary_while_nothing_changes(settings: Settings) -> None:
    with connect(settings) as conn:
        _setup(conn)
    out = io.StringIO()
    watch(settings, "s", interval_s=0.1, heartbeat_s=0.5, timeout_s=2.5, out=out)
    lines = out.getvalue().splitlines()
    assert len([line for line in lines if "] s: 2/6 done" in line]) >= 3, lines
    assert all(re.match(r"\[\d+m\d\ds\] ", line) for line in lines), lines


def test_imported_jobs_do_not_count_as_throughput(settings: Settings) -> None:
    from scheduler.reports.exchange import export_lines, import_lines
    from tests.support.reporting import load_recorded

    with connect(settings) as conn:
        _setup(conn)
        before = collect(conn, "s")
    load_recorded(settings)  # a sweep imported just now: done jobs that nothing here ran
    with connect(settings) as conn:
        lines = list(export_lines(conn, "recorded"))
        for line in lines:  # as exported from a database where workers generated them
            line["generation"]["source"] = "generated"
        import_lines(conn, lines, "copy")  # a `scheduler import` of it here: nothing here ran them
        conn.commit()
        after = collect(conn, None)
        imported = collect(conn, "recorded")
        copied = collect(conn, "copy")
    assert imported.states["done"] > 0 and imported.jobs_per_hour is None
    assert copied.states["done"] > 0 and copied.jobs_per_hour is None
    assert after.jobs_per_hour == pytest.approx(before.jobs_per_hour, rel=0.02)
