"""Pausing a model whose server fails, across a fleet: real `worker gpu` and `worker cpu` processes,
real Redis and Postgres, the reconciler each worker runs, and FAKE llama-swaps.

gpu-a serves only m-bad, whose fake server hangs every request past the job's 2 s deadline
(`gen_timeout`, an infrastructure verdict); gpu-b serves m-good. The leading reconciler pauses
m-bad once its first 3 jobs are done; its other jobs stay queued while m-good's complete, and run
after `scheduler resume` once the server is fixed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.core.queues import GENERATE_TASK, SHARED_QUEUE
from scheduler.core.settings import Settings
from scheduler.db import close_pool
from scheduler.fleet.pauses import resume
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.workers import (
    QUICK_DISPATCH_ENV,
    Fleet,
    Producer,
    fleet,
    insert_jobs,
    jobs_done,
    query,
    wait_for,
)

pytestmark = [pytest.mark.slow]

PARAMS = {"temperature": 1.0, "max_tokens": 4096, "timeout_s": 2}
ENV = {
    **QUICK_DISPATCH_ENV,
    "JOB_LEASE_S": "5",
    "VISIBILITY_TIMEOUT_S": "60",
    "GENERATION_RETRIES": "0",
    "RECONCILE_INTERVAL_S": "1",
}
BAD_SEEDS = tuple(range(1, 17))
TIMEOUT_S = 120.0


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[Fleet]:
    fakes: list[FakeLlamaSwapProcess] = []
    with fleet(settings.database_url, settings.redis_url, tmp_path, **ENV) as group:
        group.fakes = fakes  # type: ignore[attr-defined]
        try:
            yield group
        finally:
            group.stop_all()
            for fake in fakes:
                fake.stop()


def machine(workers: Fleet, host: str, model: str, **env: str) -> FakeLlamaSwapProcess:
    fake = start_fake_llama_swap([model], load_time_s=0.2, decode_tps=2000.0)
    workers.fakes.append(fake)  # type: ignore[attr-defined]
    workers.start("gpu", f"gpu@{host}", LLAMA_SWAP_URL=fake.url, WORKER_HOST=host, **env)
    return fake


def states(settings: Settings, job_ids: list[int]) -> dict[int, tuple[str, str | None, int]]:
    """Per job: state, verdict and number of attempts."""
    rows = query(
        settings.database_url,
        "SELECT j.id, j.state, j.verdict, (SELECT count(*) FROM attempts a WHERE a.job_id = j.id) AS n"
        " FROM jobs j WHERE j.id = ANY(%s)",
        (job_ids,),
    )
    return {r["id"]: (r["state"], r["verdict"], int(r["n"])) for r in rows}


def describe(workers: Fleet) -> str:
    return "\n".join(w.log()[-3000:] for w in workers.workers)


@pytest.mark.parametrize("dispatch", ["affinity", "all"])
def test_a_model_whose_server_fails_is_paused_its_jobs_wait_and_run_after_resume(
    settings: Settings, workers: Fleet, dispatch: str
) -> None:
    bad_server = machine(workers, "gpu-a", "m-bad", DISPATCH=dispatch)
    machine(workers, "gpu-b", "m-good", DISPATCH=dispatch)
    workers.start("cpu", "cpu@grader", "--concurrency", "2", DISPATCH=dispatch)
    bad_server.fail_next("hang", 1000)
    bad = insert_jobs(settings.database_url, "m-bad", ["v1"], BAD_SEEDS, PARAMS, sweep="s1")
    good = insert_jobs(
        settings.database_url, "m-good", ["v1"], (42, 123, 456), {**PARAMS, "timeout_s": 60}, sweep="s1"
    )
    producer = Producer(settings.redis_url)
    try:
        for job_id in bad:
            producer.generate(job_id, "m-bad")
        for job_id in good:
            producer.generate(job_id, "m-good")
    finally:
        producer.close()

    pause = wait_for(
        lambda: query(settings.database_url, "SELECT * FROM model_pauses"),
        TIMEOUT_S,
        lambda: describe(workers),
        interval_s=0.3,
    )
    assert [(p["model"], p["sweep"], p["resumed_at"]) for p in pause] == [("m-bad", "s1", None)]
    assert "gen_timeout 3" in pause[0]["cause"]

    # The job gpu-a was running when the pause came ends; after that no m-bad job is started.
    wait_for(
        lambda: all(s != "generating" for s, _, _ in states(settings, bad).values()),
        TIMEOUT_S,
        lambda: describe(workers),
    )
    wait_for(lambda: jobs_done(settings.database_url, good), TIMEOUT_S, lambda: describe(workers))
    before = states(settings, bad)
    time.sleep(3.0)  # ten polls of the dispatch
    after = states(settings, bad)
    assert after == before, "an m-bad job was claimed while its model was paused"
    waiting = [j for j, (state, _, _) in after.items() if state == "queued"]
    assert waiting, f"no m-bad job was left queued: {after}"
    assert all(after[j][2] == 0 for j in waiting), "a paused job has an attempt"
    finished = [v for s, v, _ in after.values() if s == "done"]
    assert all(v == "gen_timeout" for v in finished), after
    assert all(v not in ("gen_timeout", "server_error") for _, v, _ in states(settings, good).values())

    bad_server.reset()  # the server is fixed
    resume(settings, "m-bad")
    close_pool()
    wait_for(lambda: jobs_done(settings.database_url, waiting), TIMEOUT_S, lambda: describe(workers))
    resumed = states(settings, waiting)
    assert all(v != "gen_timeout" and n == 1 for _, v, n in resumed.values()), resumed
    assert [
        p["resumed_at"] is not None for p in query(settings.database_url, "SELECT * FROM model_pauses")
    ] == [True]


def test_a_delivered_job_of_a_paused_model_goes_back_to_its_queue_unclaimed(
    settings: Settings, workers: Fleet
) -> None:
    """DISPATCH=shared has no consumer to cancel: the claim refuses the job and it is handed back."""
    (job_id,) = insert_jobs(settings.database_url, "m-bad", ["v1"], (42,), {**PARAMS, "timeout_s": 60})
    query(
        settings.database_url,
        "INSERT INTO model_pauses (model, sweep, cause) VALUES ('m-bad', 'test', 'tripwire') RETURNING id",
    )
    fake = machine(workers, "gpu-a", "m-bad", DISPATCH="shared", DISPATCH_BOUNCE_PAUSE_S="0.05")
    producer = Producer(settings.redis_url)
    try:
        producer.app.send_task(GENERATE_TASK, args=[job_id], queue=SHARED_QUEUE, ignore_result=True)
    finally:
        producer.close()
    log = workers.workers[0].log_path
    wait_for(lambda: log.read_text().count("its model is paused") >= 2, TIMEOUT_S, lambda: describe(workers))
    assert states(settings, [job_id]) == {job_id: ("queued", None, 0)}
    assert fake.stats()["requests"] == [], "a paused model's job reached its server"

    resume(settings, "m-bad")
    close_pool()
    wait_for(
        lambda: states(settings, [job_id])[job_id][0] == "generated", TIMEOUT_S, lambda: describe(workers)
    )
    assert states(settings, [job_id])[job_id][2] == 1
