"""Exactly one result per job with real workers, Redis and Postgres, whatever the broker does.

Every test runs `worker gpu` / `worker cpu` as subprocesses against the FAKE llama-swap (the
only stand-in: no GPU here) and the real v1 grader, with a 10 s visibility timeout and a 3 s
lease so redelivery and takeover happen within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.core.queues import GENERATE_TASK, GRADING_QUEUE, generation_queue
from scheduler.core.settings import Settings
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.workers import (
    Fleet,
    Producer,
    broker_idle,
    fleet,
    insert_jobs,
    jobs_done,
    query,
    results_per_job,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(280)]

MODEL = "gpt-oss-20b"
QUEUES = [generation_queue(MODEL), GRADING_QUEUE]
PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": 100_000, "timeout_s": 120, "options": {}}
# DISPATCH=all: a GPU worker consumes its served models' queues from the start (the fleet's
# affinity dispatch has tests of its own); these tests are about what becomes of a message.
FAST_ENV = {
    "VISIBILITY_TIMEOUT_S": "10",
    "JOB_LEASE_S": "3",
    "GENERATION_BACKOFF_S": "0",
    "WORKER_HOST": "test",
    "DISPATCH": "all",
}
SLOW_FACTORIAL = """Here are the three programs.

#START factorial.go#
package main

import (
\t"fmt"
\t"time"
)

func main() {
\ttime.Sleep(7 * time.Second)
\tfmt.Println(3628800)
}
#END factorial.go#
"""


def start_fake(decode_tps: float, replay: Path | None = None) -> FakeLlamaSwapProcess:
    return start_fake_llama_swap([MODEL], load_time_s=0.05, decode_tps=decode_tps, replay=replay)


@pytest.fixture
def producer(settings: Settings) -> Iterator[Producer]:
    sender = Producer(settings.redis_url)
    yield sender
    sender.close()


def describe(settings: Settings, workers: Fleet, job_ids: list[int]) -> str:
    rows = results_per_job(settings.database_url, job_ids)
    logs = "\n".join(f"--- {w.name}\n{w.log()}" for w in workers.workers)
    return f"jobs: {rows}\n{logs}"


def assert_exactly_once(settings: Settings, job_ids: list[int], *, attempts: int = 1) -> None:
    for row in results_per_job(settings.database_url, job_ids).values():
        assert row["state"] == "done", row
        assert row["verdict"] is not None, row
        assert row["generations"] == 1, row
        assert row["grades"] == 1, row
        assert row["attempts"] == attempts, row


def test_duplicated_early_and_late_messages_leave_one_generation_and_one_grade_per_job(
    settings: Settings, producer: Producer, tmp_path: Path
) -> None:
    fake = start_fake(decode_tps=2000)
    try:
        job_ids = insert_jobs(settings.database_url, MODEL, ["v1"], [42, 123], PARAMS)
        producer.grade(job_ids[0])  # early: nothing generated yet
        for job_id in job_ids:
            producer.generate(job_id, MODEL)
            producer.generate(job_id, MODEL)  # duplicated
        with fleet(
            settings.database_url, settings.redis_url, tmp_path, LLAMA_SWAP_URL=fake.url, **FAST_ENV
        ) as f:
            f.start("gpu", "gpu@dup")
            f.start("cpu", "cpu@dup", "--concurrency", "2")
            wait_for(
                lambda: jobs_done(settings.database_url, job_ids), 120, lambda: describe(settings, f, job_ids)
            )
            wait_for(
                lambda: broker_idle(settings.redis_url, QUEUES), 60, lambda: describe(settings, f, job_ids)
            )
            producer.generate(job_ids[0], MODEL)  # late, for a finished job
            producer.grade(job_ids[0])
            producer.grade(job_ids[1])
            wait_for(
                lambda: broker_idle(settings.redis_url, QUEUES), 60, lambda: describe(settings, f, job_ids)
            )
        chat_requests = [r for r in fake.stats()["requests"] if r["model"] == MODEL]
    finally:
        fake.stop()
    assert_exactly_once(settings, job_ids)
    assert len(chat_requests) == len(job_ids)


def test_a_gpu_worker_killed_mid_generation_has_its_job_taken_over_by_another(
    settings: Settings, producer: Producer, tmp_path: Path
) -> None:
    fake = start_fake(decode_tps=120)  # ~7 s for the recorded response
    try:
        job_ids = insert_jobs(settings.database_url, MODEL, ["v1"], [42], PARAMS)
        with fleet(
            settings.database_url, settings.redis_url, tmp_path, LLAMA_SWAP_URL=fake.url, **FAST_ENV
        ) as f:
            doomed = f.start("gpu", "gpu@doomed")
            f.start("cpu", "cpu@kill-gpu", "--concurrency", "1")
            producer.generate(job_ids[0], MODEL)
            wait_for(lambda: _chat_started(fake), 60, lambda: describe(settings, f, job_ids))
            doomed.kill()
            state = query(settings.database_url, "SELECT state FROM jobs WHERE id = %s", job_ids)[0]["state"]
            assert state == "generating"
            f.start("gpu", "gpu@rescuer")
            wait_for(
                lambda: jobs_done(settings.database_url, job_ids), 150, lambda: describe(settings, f, job_ids)
            )
    finally:
        fake.stop()
    assert_exactly_once(settings, job_ids, attempts=2)
    row = results_per_job(settings.database_url, job_ids)[job_ids[0]]
    assert row["abandoned"] == 1
    winner = query(
        settings.database_url,
        "SELECT a.worker_name FROM generations g JOIN attempts a ON a.id = g.attempt_id WHERE g.job_id = %s",
        job_ids,
    )
    assert winner == [{"worker_name": "gpu@rescuer"}]


def test_a_cpu_worker_killed_mid_grade_has_the_grade_stored_once_by_another(
    settings: Settings, producer: Producer, tmp_path: Path
) -> None:
    replay = tmp_path / "replay"
    (replay / "exam_v1" / MODEL / "seed42").mkdir(parents=True)
    (replay / "exam_v1" / MODEL / "seed42" / "response.txt").write_text(SLOW_FACTORIAL)
    fake = start_fake(decode_tps=5000, replay=replay)
    try:
        job_ids = insert_jobs(settings.database_url, MODEL, ["v1"], [42], PARAMS)
        with fleet(
            settings.database_url, settings.redis_url, tmp_path, LLAMA_SWAP_URL=fake.url, **FAST_ENV
        ) as f:
            f.start("gpu", "gpu@kill-cpu")
            doomed = f.start("cpu", "cpu@doomed", "--concurrency", "1")
            producer.generate(job_ids[0], MODEL)
            wait_for(
                lambda: _state(settings, job_ids[0]) == "grading", 60, lambda: describe(settings, f, job_ids)
            )
            time.sleep(2.0)  # inside the 7 s the graded program sleeps
            doomed.kill()
            assert _state(settings, job_ids[0]) == "grading"
            assert results_per_job(settings.database_url, job_ids)[job_ids[0]]["grades"] == 0
            f.start("cpu", "cpu@rescuer", "--concurrency", "1")
            wait_for(
                lambda: jobs_done(settings.database_url, job_ids), 150, lambda: describe(settings, f, job_ids)
            )
    finally:
        fake.stop()
    assert_exactly_once(settings, job_ids)
    claims = query(settings.database_url, "SELECT grading_claims FROM jobs WHERE id = %s", job_ids)
    assert claims == [{"grading_claims": 2}]
    hosts = query(settings.database_url, "SELECT worker_name FROM grades")
    assert hosts == [{"worker_name": "cpu@rescuer"}]


def test_a_message_redelivered_after_the_visibility_timeout_while_its_job_runs_is_harmless(
    settings: Settings, producer: Producer, tmp_path: Path
) -> None:
    fake = start_fake(decode_tps=40)  # ~20 s, twice the 10 s visibility timeout
    try:
        job_ids = insert_jobs(settings.database_url, MODEL, ["v1"], [42], PARAMS)
        with fleet(
            settings.database_url, settings.redis_url, tmp_path, LLAMA_SWAP_URL=fake.url, **FAST_ENV
        ) as f:
            first = f.start("gpu", "gpu@first")
            second = f.start("gpu", "gpu@second")
            f.start("cpu", "cpu@redeliver", "--concurrency", "1")
            producer.generate(job_ids[0], MODEL)
            wait_for(
                lambda: jobs_done(settings.database_url, job_ids), 200, lambda: describe(settings, f, job_ids)
            )
            wait_for(
                lambda: broker_idle(settings.redis_url, QUEUES), 60, lambda: describe(settings, f, job_ids)
            )
            received = [w.log().count(f"Task {GENERATE_TASK}[") > 0 for w in (first, second)]
        chat_requests = [r for r in fake.stats()["requests"] if r["model"] == MODEL]
    finally:
        fake.stop()
    assert received == [True, True], "the message was not redelivered to the second worker"
    assert len(chat_requests) == 1
    assert_exactly_once(settings, job_ids)


def _chat_started(fake: FakeLlamaSwapProcess) -> bool:
    return any("started_at" in r for r in fake.stats()["requests"])


def _state(settings: Settings, job_id: int) -> str:
    return str(query(settings.database_url, "SELECT state FROM jobs WHERE id = %s", (job_id,))[0]["state"])
