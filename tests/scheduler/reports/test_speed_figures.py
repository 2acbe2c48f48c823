"""Two speed figures kept apart: each generation's concurrency, the single-stream probe figure the
report's tok/s columns use, the aggregate throughput beside it, and the alerts on mixed conditions."""

from __future__ import annotations

from typing import Any

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, claim_generation, store_generation
from scheduler.db.speed import record_concurrency, store_probe
from scheduler.db.vocabulary import Outcome, ProbeReason
from scheduler.reports.report import build_report
from scheduler.reports.speed import busy_seconds
from testkit.workers import insert_jobs

PARAMS = {"temperature": 1.0, "max_tokens": 100, "timeout_s": 60}
PROVENANCE = {
    "build_info": "b100-aaa",
    "total_slots": 2,
    "n_ctx": 8192,
    "cpu": "Test CPU",
    "cpu_governor": "performance",
}


def claim(job_id: int, worker: str) -> GenerationClaim:
    got = claim_generation(job_id, worker, None, 60)
    assert isinstance(got, GenerationClaim), got
    return got


def store(c: GenerationClaim, decode_tps: float, server_info: dict[str, Any] | None = None) -> int:
    record = GenerationRecord(outcome=Outcome.OK, response_text="x", finish_reason="stop", completion_tokens=100,
                              decode_tps=decode_tps, server_info=server_info or PROVENANCE)  # fmt: skip
    assert store_generation(c, record) is not None
    concurrency = record_concurrency(c.attempt_id)
    assert concurrency is not None
    return concurrency


def test_a_generation_records_the_most_generations_its_worker_ran_beside_it(settings: Settings) -> None:
    a, b, c, d = insert_jobs(settings.database_url, "m", ["v1"], [1, 2, 3, 4], PARAMS, sweep="s")
    first, second, elsewhere = claim(a, "gpu@one"), claim(b, "gpu@one"), claim(c, "gpu@two")
    assert store(first, 10.0) == 2  # `second` ran beside it the whole time
    assert store(elsewhere, 30.0) == 1  # another machine's generations are not beside it
    later = claim(d, "gpu@one")  # starts while `second` still runs
    assert store(second, 11.0) == 2
    assert store(later, 12.0) == 2


def test_the_reports_tok_s_is_the_single_stream_probe_not_the_rates_under_concurrency(
    settings: Settings,
) -> None:
    a, b = insert_jobs(settings.database_url, "m", ["v1"], [1, 2], PARAMS, sweep="s")
    first, second = claim(a, "gpu@one"), claim(b, "gpu@one")
    store(first, 10.0)
    store(second, 12.0)
    store_probe(model="m", worker_name="gpu@one", host="one", decode_runs=[39.0, 40.0, 45.0], prompt_tps=500.0,
                tokens=128, provenance=PROVENANCE, reason=ProbeReason.LOAD)  # fmt: skip
    with connect(settings) as conn:
        report = build_report(conn, "s")
    assert {s.decode_tps for s in report.stats} == {40.0}
    tables = {t.id: t for t in report.tables}
    assert tables["speed-probes"].rows[0][:3] == ["m", "one", "40.0"]
    assert "b100-aaa" in tables["speed-probes"].rows[0] and "performance" in tables["speed-probes"].rows[0]
    assert tables["speed-concurrency"].rows == [["m", "gpu@one", "2", "2", "11.0"]]
    (throughput,) = tables["throughput"].rows
    assert throughput[:4] == ["gpu@one", "m", "2", "2"]
    assert "speed-alerts" not in tables


def test_without_a_probe_only_generations_that_ran_alone_give_the_single_stream_figure(
    settings: Settings,
) -> None:
    a, b, c = insert_jobs(settings.database_url, "m", ["v1"], [1, 2, 3], PARAMS, sweep="s")
    first, second = claim(a, "gpu@one"), claim(b, "gpu@one")
    store(first, 10.0)
    store(second, 12.0)
    with connect(settings) as conn:
        assert {s.decode_tps for s in build_report(conn, "s").stats} == {None}
    store(claim(c, "gpu@one"), 30.0)
    with connect(settings) as conn:
        assert {s.decode_tps for s in build_report(conn, "s").stats} == {30.0}


def test_speed_figures_from_two_builds_or_governors_of_one_machine_are_flagged(settings: Settings) -> None:
    (a,) = insert_jobs(settings.database_url, "m", ["v1"], [1], PARAMS, sweep="s")
    store(claim(a, "gpu@one"), 10.0, {**PROVENANCE, "build_info": "b200-bbb", "cpu_governor": "powersave"})
    store_probe(model="m", worker_name="gpu@one", host="one", decode_runs=[40.0], prompt_tps=None, tokens=128,
                provenance=PROVENANCE, reason=ProbeReason.LOAD)  # fmt: skip
    with connect(settings) as conn:
        tables = {t.id: t for t in build_report(conn, "s").tables}
    (alert,) = tables["speed-alerts"].rows
    assert "model m on gpu@one" in alert[0]
    assert "build_info: b100-aaa, b200-bbb" in alert[0] and "cpu_governor: performance, powersave" in alert[0]


def test_busy_seconds_count_overlapping_spans_once() -> None:
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 1, 1, tzinfo=UTC)
    spans = [(t, t + timedelta(seconds=10)), (t + timedelta(seconds=5), t + timedelta(seconds=12)),
             (t + timedelta(seconds=20), t + timedelta(seconds=21))]  # fmt: skip
    assert busy_seconds(spans) == 13.0


def test_status_shows_each_machines_aggregate_throughput_apart_from_its_single_stream_speed(
    settings: Settings,
) -> None:
    import io

    from scheduler.cli.status import show

    a, b = insert_jobs(settings.database_url, "m", ["v1"], [1, 2], PARAMS, sweep="s")
    first, second = claim(a, "gpu@one"), claim(b, "gpu@one")
    store(first, 10.0)
    store(second, 12.0)
    store_probe(model="m", worker_name="gpu@one", host="one", decode_runs=[40.0], prompt_tps=None, tokens=128,
                provenance=PROVENANCE, reason=ProbeReason.LOAD)  # fmt: skip
    out = io.StringIO()
    show(settings, "s", out=out)
    (line,) = [x for x in out.getvalue().splitlines() if x.startswith("throughput ")]
    assert line.startswith("throughput gpu@one m: ") and "tok/s over all streams" in line, line
    assert "up to 2 at once; single-stream 40.0 tok/s" in line, line


def test_imported_generations_keep_their_rates_as_single_stream_figures(settings: Settings) -> None:
    from scheduler.sweeps.catalog import Model
    from tests.support.runs import add_run, add_sweep

    with connect(settings) as conn:
        with conn.transaction():
            add_sweep(conn, "imported", {"models": ["m"]}, [Model("m", "M", "f", None, None)])
            for seed, rate in ((1, 20.0), (2, 30.0)):
                add_run(
                    conn,
                    "imported",
                    "m",
                    "v1",
                    seed,
                    {"outcome": "ok", "finish_reason": "stop", "decode_tps": rate},
                )
        report = build_report(conn, "imported")
    assert {s.decode_tps for s in report.stats} == {25.0}
    assert next(t for t in report.tables if t.id == "throughput").rows == []
