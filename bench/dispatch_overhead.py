"""Dispatch overhead: how long a job waits on the queue machinery when workers are idle.

Two hand-overs, each measured per job with real Redis, Postgres and Celery worker processes
against a FAKE llama-swap that answers instantly (no prompt time, 100k tok/s), so nothing but
the dispatch is timed:

- enqueued -> generation started: from just before `generate(job_id)` is sent to Redis to the
  GPU worker's claim (`attempts.started_at`), and to the request reaching the server;
- generation stored -> grading started: from the generation's insert (`generations.created_at`)
  to the CPU worker's claim (`grades.started_at`), both on the database clock.

Jobs are sent one at a time, each after the previous one is graded, so the workers are idle
when a message arrives. Run once with the GPU worker consuming every served model's queue
(DISPATCH=all) and once with the fleet's affinity dispatch (the default), side by side.
Goal: median under 50 ms for each hand-over.

Run: ``python -m bench.dispatch_overhead [--jobs 20]`` (Redis and Postgres must be running).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from scheduler.core.settings import Settings
from scheduler.db.migrate import upgrade
from testkit.fakes.launcher import start_fake_llama_swap
from testkit.services import fresh_redis_url, private_services, scratch_database
from testkit.workers import Producer, fleet, insert_jobs, jobs_done, query, wait_for

MODEL = "gpt-oss-20b"
PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": 64, "timeout_s": 60, "options": {}}


def measure(dispatch: str, n_jobs: int) -> dict[str, list[float]]:
    """Per-job hand-over times in ms for one dispatch mode."""
    fake = start_fake_llama_swap([MODEL], load_time_s=0, decode_tps=100_000, extra_args=["--prompt-tps", "0"])
    redis_url = fresh_redis_url()
    try:
        with scratch_database() as database_url, tempfile.TemporaryDirectory() as logs:
            upgrade(Settings(database_url=database_url))
            env = {"LLAMA_SWAP_URL": fake.url, "DISPATCH": dispatch, "WORKER_HOST": f"bench-{dispatch}"}
            with fleet(database_url, redis_url, Path(logs), **env) as workers:
                workers.start("gpu", f"gpu@bench-{dispatch}")
                workers.start("cpu", f"cpu@bench-{dispatch}", "--concurrency", "1")
                return _run_jobs(database_url, redis_url, fake.stats, n_jobs)
    finally:
        fake.stop()


def _run_jobs(database_url: str, redis_url: str, stats: Any, n_jobs: int) -> dict[str, list[float]]:
    producer = Producer(redis_url)
    job_ids = insert_jobs(database_url, MODEL, ["v1"], range(1, n_jobs + 2), PARAMS)
    sent_at: dict[int, float] = {}
    try:
        for job_id in job_ids:
            time.sleep(0.5)  # let the worker settle into waiting on the queue
            sent_at[job_id] = time.time()
            producer.generate(job_id, MODEL)
            wait_for(functools.partial(jobs_done, database_url, [job_id]), 120)
    finally:
        producer.close()
    rows = query(
        database_url,
        "SELECT j.id, extract(epoch FROM a.started_at) AS claimed, extract(epoch FROM g.created_at) AS stored,"
        " extract(epoch FROM r.started_at) AS graded"
        " FROM jobs j JOIN attempts a ON a.job_id = j.id JOIN generations g ON g.attempt_id = a.id"
        " JOIN grades r ON r.generation_id = g.id WHERE j.id = ANY(%s) ORDER BY j.id",
        (job_ids,),
    )
    received = sorted(r["received_at"] for r in stats()["requests"])
    result: dict[str, list[float]] = {"claim": [], "request": [], "grade": []}
    for row, request_at in list(zip(rows, received, strict=True))[1:]:  # the first job warms up
        sent = sent_at[row["id"]]
        result["claim"].append(1000 * (float(row["claimed"]) - sent))
        result["request"].append(1000 * (request_at - sent))
        result["grade"].append(1000 * (float(row["graded"]) - float(row["stored"])))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    with private_services():
        for mode in ("all", "affinity"):
            try:
                results[mode] = measure(mode, args.jobs)
            except AssertionError as exc:  # a mode that never dispatches: say so, keep the other
                print(f"DISPATCH={mode}: no result ({str(exc).splitlines()[0]})")
    labels = {
        "claim": "enqueued -> generation claimed",
        "request": "enqueued -> request at the server",
        "grade": "generation stored -> grading claimed",
    }
    print(f"\ndispatch overhead, median (p90) in ms over {args.jobs} jobs each, idle workers:")
    print(f"{'hand-over':<40}" + "".join(f"{'DISPATCH=' + m:>24}" for m in results))
    for key, label in labels.items():
        cells = []
        for mode in results:
            values = sorted(results[mode][key])
            p90 = values[int(0.9 * (len(values) - 1))]
            cells.append(f"{statistics.median(values):10.1f} ({p90:8.1f})")
        print(f"{label:<40}" + "".join(f"{c:>24}" for c in cells))
    print(
        "goal: median < 50 ms for 'enqueued -> generation claimed' and 'generation stored -> grading claimed'"
    )


if __name__ == "__main__":
    main()
