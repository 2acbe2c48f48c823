"""Every job reaches its verdict, done exactly once, after any single fault, with no operator action.

One rig of real processes (testkit/chaos.py: private Postgres and Redis, the fake llama-swap
replaying recorded responses, real `worker gpu` and `worker cpu`) with the DEFAULT visibility timeout
(2 hours: nothing here waits for the broker to redeliver), a small sweep per fault.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scheduler.cli.status import collect
from scheduler.db import connect
from testkit.chaos import BOUND_S, GPU, MODEL, SLOTS, ChaosRig, chaos_rig, run_fault
from testkit.services import ServiceUnavailable
from testkit.workers import query, wait_for
from tests.support.availability import require_service

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BOUND_S + 200)]

SEEDS = [1, 2, 3, 4, 5]


@pytest.fixture(scope="module")
def rig() -> Iterator[ChaosRig]:
    root = Path(
        tempfile.mkdtemp(prefix="quantsweep-chaos-")
    )  # not under pytest's 0700 folders: postgres reads it
    try:
        with chaos_rig(root) as started:
            yield started
    except ServiceUnavailable as exc:
        require_service("a private Redis and PostgreSQL", exc)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def assert_every_job_done_once(rig: ChaosRig, fault: str, sweep: str) -> None:
    outcome = run_fault(rig, fault, sweep, SEEDS)
    job_ids = list(outcome.rows)
    assert outcome.stuck == 0 and outcome.recovery_s is not None, (
        outcome.describe() + "\n" + rig.describe(job_ids)
    )
    for row in outcome.rows.values():
        assert (row["generations"], row["grades"]) == (1, 1), f"{outcome.describe()}\n{row}"
        assert row["verdict"] not in ("server_error", "grader_error", "gen_timeout"), row
    assert outcome.lost == 0, outcome.describe()


def test_redis_killed_and_restarted_empty_mid_sweep(rig: ChaosRig) -> None:
    assert_every_job_done_once(rig, "redis killed, restarted empty", "redis-lost")


def test_postgres_stopped_immediately_and_restarted_mid_sweep(rig: ChaosRig) -> None:
    assert_every_job_done_once(rig, "postgres stop -m immediate, restarted", "postgres-restarted")


def test_a_gpu_worker_killed_mid_generation_and_restarted(rig: ChaosRig) -> None:
    assert_every_job_done_once(rig, "gpu worker SIGKILL mid-generation, restarted", "gpu-killed")
    assert rig.interrupted, "the kill did not hit a running generation"


def test_a_cpu_worker_killed_mid_grade_and_restarted(rig: ChaosRig) -> None:
    assert_every_job_done_once(rig, "cpu worker SIGKILL mid-grade, restarted", "cpu-killed")
    assert rig.interrupted, "the kill did not hit a running grade"


def test_the_model_server_killed_mid_stream_and_restarted(rig: ChaosRig) -> None:
    assert_every_job_done_once(rig, "model server SIGKILL mid-stream, restarted", "model-server-killed")


def test_status_shows_the_model_the_gpu_machine_has_loaded_as_llama_swap_reports_it(rig: ChaosRig) -> None:
    (job,) = rig.submit("loaded-model", [9])
    wait_for(lambda: rig.state_count([job], "done") == 1, BOUND_S, lambda: rig.describe([job]))
    wait_for(lambda: _loaded(rig) == MODEL, 30, lambda: rig.describe([job]))
    with connect(rig.settings) as conn:
        gpu = next(m for m in collect(conn).machines if m.name == GPU)
    assert gpu.loaded_model == MODEL
    httpx.get(f"{rig.fake.url}/unload", timeout=10).raise_for_status()
    wait_for(lambda: _loaded(rig) is None, 30, lambda: rig.describe([job]))


def test_the_gpu_worker_fills_every_slot_of_its_server_and_never_more(rig: ChaosRig) -> None:
    httpx.post(f"{rig.fake.url}/fake/reset", timeout=10).raise_for_status()
    jobs = rig.submit("slots", [11, 12, 13, 14, 15, 16])
    wait_for(lambda: rig.state_count(jobs, "done") == len(jobs), BOUND_S, lambda: rig.describe(jobs))
    seeds = {11, 12, 13, 14, 15, 16}
    served = [r for r in rig.fake.stats()["requests"] if "started_at" in r and r["seed"] in seeds]
    assert len(served) == len(jobs)
    assert _most_at_once(served) == SLOTS, served
    # each generation says how many ran at once beside it, counted from this worker's attempts
    rows = query(rig.database_url, "SELECT concurrency, concurrency_source, decode_tps FROM generations g"
                 " JOIN jobs j ON j.id = g.job_id WHERE j.sweep = 'slots'")  # fmt: skip
    assert {r["concurrency_source"] for r in rows} == {"attempts"}
    assert max(r["concurrency"] for r in rows) == SLOTS, rows
    # the model's single-stream speed was probed alone before the worker first served it
    probes = query(rig.database_url, "SELECT reason, decode_tps, provenance FROM speed_probes")
    assert probes and probes[0]["reason"] == "load" and probes[0]["decode_tps"] > 0, probes
    assert probes[0]["provenance"]["build_info"] and probes[0]["provenance"]["total_slots"] == SLOTS
    assert probes[0]["provenance"]["cpu"], probes[0]["provenance"]


def _most_at_once(requests: list[dict[str, object]]) -> int:
    """The most requests the server was decoding at the same moment."""
    edges = sorted([(float(r["started_at"]), 1) for r in requests]  # type: ignore[arg-type]
                   + [(float(r["finished_at"]), -1) for r in requests])  # type: ignore[arg-type]  # fmt: skip
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def _loaded(rig: ChaosRig) -> str | None:
    rows = query(rig.database_url, "SELECT loaded_model FROM workers WHERE name = %s", (GPU,))
    return rows[0]["loaded_model"] if rows else None
