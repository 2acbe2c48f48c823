"""GPU affinity across a fleet: real `worker gpu` processes, real Redis and Postgres, FAKE llama-swaps.

Each simulated machine is a fake llama-swap with its own model set plus one GPU worker
(WORKER_HOST set, one generation per slot of its server: 1 unless a test gives it more). Only the generation stage runs: grading is not under test
here, so each job ends `generated` with its grade message waiting on the `cpu` queue.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.messages import producer_app
from scheduler.core.queues import GENERATE_TASK, SHARED_QUEUE, generation_queue
from scheduler.core.settings import Settings
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.workers import QUICK_DISPATCH_ENV, Fleet, Producer, fleet, insert_jobs, query, wait_for

pytestmark = [pytest.mark.slow]

PARAMS = {"temperature": 1.0, "max_tokens": 4096, "timeout_s": 60}
FLEET_ENV = {
    **QUICK_DISPATCH_ENV,
    "JOB_LEASE_S": "2",
    "VISIBILITY_TIMEOUT_S": "10",
    "GENERATION_BACKOFF_S": "0",
}
DONE_TIMEOUT_S = 120.0


class Machines:
    """Fake llama-swaps plus the GPU workers next to them."""

    def __init__(self, workers: Fleet) -> None:
        self.workers = workers
        self.fakes: dict[str, FakeLlamaSwapProcess] = {}

    def add(
        self, host: str, models: list[str], decode_tps: float = 700.0, slots: int = 1, **extra_env: str
    ) -> FakeLlamaSwapProcess:
        extra = ("--parallel", str(slots))
        fake = start_fake_llama_swap(models, load_time_s=0.5, decode_tps=decode_tps, extra_args=extra)
        self.fakes[host] = fake
        env = {"LLAMA_SWAP_URL": fake.url, "WORKER_HOST": host, "GPU_TOKENS_PER_S": str(decode_tps)}
        self.workers.start("gpu", f"gpu@{host}", **{**env, **extra_env})
        return fake

    def stop(self) -> None:
        for fake in self.fakes.values():
            fake.stop()


@pytest.fixture
def machines(settings: Settings, tmp_path: Path) -> Iterator[Machines]:
    with fleet(settings.database_url, settings.redis_url, tmp_path, **FLEET_ENV) as workers:
        group = Machines(workers)
        try:
            yield group
        finally:
            workers.stop_all()
            group.stop()


def submit(
    settings: Settings, plan: list[tuple[str, str]], seeds: tuple[int, ...] = (42, 123, 456)
) -> list[int]:
    """Queue v1 jobs for each (sweep, model), interleaving sweeps' messages as concurrent submits would."""
    producer = Producer(settings.redis_url)
    ids: list[int] = []
    try:
        for sweep, model in plan:
            for job_id in insert_jobs(settings.database_url, model, ["v1"], seeds, PARAMS, sweep=sweep):
                producer.generate(job_id, model)
                ids.append(job_id)
    finally:
        producer.close()
    return ids


def generations(settings: Settings, job_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    rows = query(
        settings.database_url,
        "SELECT job_id, outcome FROM generations WHERE job_id = ANY(%s) ORDER BY id",
        (job_ids,),
    )
    per_job: dict[int, list[dict[str, Any]]] = {j: [] for j in job_ids}
    for row in rows:
        per_job[row["job_id"]].append(row)
    return per_job


def wait_generated(
    settings: Settings, job_ids: list[int], machines: Machines
) -> dict[int, list[dict[str, Any]]]:
    def all_generated() -> bool:
        return all(generations(settings, job_ids).values())

    def describe() -> str:
        return "\n".join(w.log()[-2000:] for w in machines.workers.workers)

    wait_for(all_generated, DONE_TIMEOUT_S, describe, interval_s=0.5)
    return generations(settings, job_ids)


def served_runs(fake: FakeLlamaSwapProcess) -> list[str]:
    """The models a machine generated, in order, one entry per contiguous run."""
    served = sorted(
        (r for r in fake.stats()["requests"] if r["status"] == 200), key=lambda r: r["started_at"]
    )
    return [model for model, _ in itertools.groupby(r["model"] for r in served)]


def test_each_machine_gets_only_its_models_and_works_through_one_model_at_a_time(
    settings: Settings, machines: Machines
) -> None:
    machines.add("gpu-a", ["m-alpha", "m-beta"])
    machines.add("gpu-b", ["m-beta", "m-gamma"])
    machines.add("gpu-c", ["m-delta"])
    job_ids = submit(settings, [("s1", m) for m in ("m-alpha", "m-beta", "m-gamma", "m-delta")])
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values())
    for fake in machines.fakes.values():
        requests = fake.stats()["requests"]
        assert {r["model"] for r in requests} <= set(fake.models), "a job went to a machine not serving it"
        assert all(r["status"] == 200 for r in requests)
        runs = served_runs(fake)
        assert len(runs) == len(set(runs)), f"models interleaved on one machine: {runs}"
        assert sum(fake.loads().values()) == len(runs)
    assert served_runs(machines.fakes["gpu-c"]) == ["m-delta"]


def test_two_sweeps_at_once_share_a_machine_without_reloading_models(
    settings: Settings, machines: Machines
) -> None:
    fake = machines.add("gpu-a", ["m-alpha", "m-beta"])
    plan = [("s1", "m-alpha"), ("s2", "m-alpha"), ("s1", "m-beta"), ("s2", "m-beta")]
    job_ids = submit(settings, plan, seeds=(42, 123))
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 for g in result.values())
    assert fake.loads() == {"m-alpha": 1, "m-beta": 1}


def test_a_machine_with_two_slots_fills_both_from_one_model_and_swaps_only_once_they_drained(
    settings: Settings, machines: Machines
) -> None:
    fake = machines.add("gpu-a", ["m-alpha", "m-beta"], decode_tps=150.0, slots=2)
    job_ids = submit(settings, [("s1", "m-alpha"), ("s1", "m-beta")], seeds=(1, 2, 3))
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values())
    assert fake.loads() == {"m-alpha": 1, "m-beta": 1}
    served = sorted(fake.stats()["requests"], key=lambda r: r["received_at"])
    for model, other in (("m-alpha", "m-beta"), ("m-beta", "m-alpha")):
        spans = [(r["started_at"], r["finished_at"]) for r in served if r["model"] == model]
        assert any(a[0] < b[1] and b[0] < a[1] for a, b in itertools.combinations(spans, 2)), (
            f"{model}: never two generations at once on two slots"
        )
        # the worker sends no request for the next model while one of this model still runs:
        # it would sit in llama-swap's queue and hold a slot of ours doing nothing
        for r in served:
            if r["model"] == other:
                assert not any(s < r["received_at"] < f for s, f in spans), (
                    f"{other} sent during {model}: {served}"
                )


def test_a_machine_joining_mid_sweep_takes_work(settings: Settings, machines: Machines) -> None:
    first = machines.add("gpu-a", ["m-alpha", "m-beta"], decode_tps=400.0)
    job_ids = submit(settings, [("s1", "m-alpha"), ("s1", "m-beta")], seeds=(42, 123, 456, 7))
    wait_for(lambda: any(r["status"] == 200 for r in first.stats()["requests"]), 60)
    joiner = machines.add("gpu-b", ["m-beta"], decode_tps=400.0)
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 for g in result.values())
    assert any(r["status"] == 200 for r in joiner.stats()["requests"]), "the new machine took no job"
    assert {r["model"] for r in joiner.stats()["requests"]} == {"m-beta"}


def test_a_killed_machines_jobs_are_finished_by_another(settings: Settings, machines: Machines) -> None:
    # A visibility timeout far beyond the test's deadline: only the fleet noticing the dead
    # machine (its record expires) can put the killed job back on its queue in time.
    doomed = machines.add("gpu-a", ["m-alpha"], decode_tps=300.0, VISIBILITY_TIMEOUT_S="3600")
    survivor = machines.add("gpu-b", ["m-alpha", "m-beta"], decode_tps=300.0, VISIBILITY_TIMEOUT_S="3600")
    job_ids = submit(settings, [("s1", "m-beta"), ("s1", "m-alpha")], seeds=(42, 123, 456, 7))

    def doomed_is_generating() -> bool:
        return any("started_at" in r and "finished_at" not in r for r in doomed.stats()["requests"])

    wait_for(doomed_is_generating, 60)
    machines.workers.workers[0].kill()
    doomed.stop()
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values()), result
    attempts = query(
        settings.database_url, "SELECT count(*) AS n FROM attempts WHERE job_id = ANY(%s)", (job_ids,)
    )
    assert attempts[0]["n"] >= len(job_ids) + 1, "the killed job was not run again"
    assert "m-alpha" in served_runs(survivor)


def test_a_machine_restarted_before_anyone_sees_it_dead_reruns_its_killed_job(
    settings: Settings, machines: Machines
) -> None:
    # One machine, so no other controller can notice the death, and a lease and visibility
    # timeout far beyond the test's deadline: only the restarted worker itself can put back
    # the job its killed process was running.
    env = {"VISIBILITY_TIMEOUT_S": "3600", "DISPATCH_LEASE_S": "600"}
    fake = machines.add(
        "gpu-a", ["m-alpha"], decode_tps=300.0, VISIBILITY_TIMEOUT_S="3600", DISPATCH_LEASE_S="600"
    )
    job_ids = submit(settings, [("s1", "m-alpha")], seeds=(42, 123, 456))
    wait_for(lambda: any("started_at" in r and "finished_at" not in r for r in fake.stats()["requests"]), 60)
    machines.workers.workers[0].kill()
    restarted = machines.workers.start(
        "gpu", "gpu@gpu-a", LLAMA_SWAP_URL=fake.url, WORKER_HOST="gpu-a", GPU_TOKENS_PER_S="300", **env
    )
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values()), result
    attempts = query(
        settings.database_url, "SELECT count(*) AS n FROM attempts WHERE job_id = ANY(%s)", (job_ids,)
    )
    assert attempts[0]["n"] == len(job_ids) + 1, "the killed job was not run again exactly once"
    assert "put back on its queue" in restarted.log_path.read_text()


def test_the_naive_shared_queue_hands_a_job_back_until_a_machine_serving_its_model_takes_it(
    settings: Settings, machines: Machines
) -> None:
    """DISPATCH=shared (bench/fleet's naive baseline): one queue, unserved jobs bounced, none lost."""
    alpha = machines.add("gpu-a", ["m-alpha"], DISPATCH="shared", DISPATCH_BOUNCE_PAUSE_S="0.05")
    beta = machines.add("gpu-b", ["m-beta"], DISPATCH="shared", DISPATCH_BOUNCE_PAUSE_S="0.05")
    producer = Producer(settings.redis_url)
    job_ids: list[int] = []
    try:
        for model in ("m-alpha", "m-beta"):
            for job_id in insert_jobs(settings.database_url, model, ["v1"], (42, 123), PARAMS):
                producer.app.send_task(GENERATE_TASK, args=[job_id], queue=SHARED_QUEUE, ignore_result=True)
                job_ids.append(job_id)
    finally:
        producer.close()
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values()), result
    for fake in (alpha, beta):
        requests = fake.stats()["requests"]
        assert {r["model"] for r in requests} == set(fake.models), "a job reached a machine not serving it"
        assert len(requests) == 2


def test_a_worker_whose_consumer_lost_its_queue_asks_for_it_again(
    settings: Settings, machines: Machines
) -> None:
    # A remote-control message lost while Redis was away leaves Celery off the queue the dispatch
    # believes it consumes; done here behind the dispatch's back, mid-sweep, as the broker's loss would.
    machines.add("gpu-a", ["m-alpha"], decode_tps=150.0)
    job_ids = submit(settings, [("s1", "m-alpha")], seeds=(1, 2, 3, 4, 5, 6))
    wait_for(lambda: any(generations(settings, job_ids).values()), DONE_TIMEOUT_S, interval_s=0.1)
    app = producer_app(settings)
    try:
        replies = app.control.cancel_consumer(
            generation_queue("m-alpha"), destination=["gpu@gpu-a"], reply=True, timeout=5
        )
    finally:
        app.close()
    assert replies, "the worker did not answer cancel_consumer"
    result = wait_generated(settings, job_ids, machines)
    assert all(len(g) == 1 and g[0]["outcome"] == "ok" for g in result.values())
    assert "asking its consumer for the queue again" in machines.workers.workers[0].log_path.read_text()
