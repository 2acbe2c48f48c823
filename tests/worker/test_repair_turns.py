"""Repair turns through the real workers: a recorded two-turn conversation per seed, replayed by a
FAKE llama-server on 127.0.0.1, generated on a real `worker gpu` and graded by a real `worker cpu`
with the Go toolchain. Each turn is generated once and graded once; the second turn is asked with
the first answer and the feedback its grade wrote; an infra fault on a turn is retried as that turn
and never reaches the model; a worker killed between turns leaves the next turn to the others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.queues import GRADING_QUEUE, generation_queue
from scheduler.core.settings import Settings
from testkit.fakes.recorded_server import RecordedServer, Reply, content_stream
from testkit.workers import (
    Producer,
    broker_idle,
    fleet,
    insert_jobs,
    jobs_done,
    query,
    results_per_job,
    run_jobs,
    wait_for,
)
from tests.support.turns import EXAM, TWO_TURN_PARAMS, recorded_answer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

MODEL = "qwen3-coder"
ENV = {"GENERATION_BACKOFF_S": "0", "GENERATION_RETRIES": "3", "WORKER_HOST": "replay", "DISPATCH": "all"}
SERVER_ERROR = Reply(
    b'{"error": {"code": 500, "message": "boom", "type": "server_error"}}', 500, "application/json"
)


def answer(case: str) -> Reply:
    """A recorded answer: the task's qualification case `case` (its reference or a known-bad file)."""
    return Reply(content_stream(recorded_answer(case)))


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer([MODEL]).start()
    yield recorded
    recorded.stop()


def turns_of(database_url: str, job_id: int) -> list[dict[str, Any]]:
    """Each stored generation of the job with its grade, in order."""
    return query(
        database_url,
        "SELECT g.turn, g.outcome, r.verdict, r.score, r.checks, r.feedback FROM generations g"
        " LEFT JOIN grades r ON r.generation_id = g.id WHERE g.job_id = %s ORDER BY g.id, r.id",
        (job_id,),
    )


def failing(checks: list[dict[str, Any]]) -> set[str]:
    return {c["name"] for c in checks if not c["passed"]}


def test_two_turn_conversations_are_generated_and_graded_once_per_turn(
    settings: Settings, server: RecordedServer, tmp_path: Path
) -> None:
    conversations = {
        1: {1: [answer("bytes")], 2: [answer("reference")]},  # fixed on turn 2
        2: {1: [answer("keeps_punctuation")], 2: [answer("bytes")]},  # a regression on turn 2
        3: {1: [answer("bytes")], 2: [SERVER_ERROR, answer("reference")]},  # infra fault on turn 2
        4: {1: [answer("reference")], 2: [answer("bytes")]},  # passes at once: no turn 2
    }
    for seed, turns in conversations.items():
        server.queue_turns(seed, turns)
    job_ids = insert_jobs(settings.database_url, MODEL, [EXAM], list(conversations), TWO_TURN_PARAMS)
    run_jobs(
        settings.database_url,
        settings.redis_url,
        tmp_path,
        dict.fromkeys(job_ids, MODEL),
        LLAMA_SWAP_URL=server.url,
        **ENV,
    )
    fixed, regressed, faulted, at_once = (turns_of(settings.database_url, j) for j in job_ids)

    assert [(t["turn"], t["verdict"]) for t in fixed] == [(1, "test_fail"), (2, "ok")]
    assert [(t["turn"], t["verdict"]) for t in regressed] == [(1, "test_fail"), (2, "test_fail")]
    assert failing(regressed[0]["checks"]) == {"TestPalindromePunctuation"}
    assert failing(regressed[1]["checks"]) == {"TestReverseMultibyte", "TestPalindromeUnicode"}
    assert [(t["turn"], t["verdict"]) for t in faulted] == [(1, "test_fail"), (2, "ok")]
    assert [(t["turn"], t["verdict"], t["feedback"]) for t in at_once] == [(1, "ok", None)]
    assert fixed[1]["feedback"] is None  # the last turn writes none

    # Turn 2 was asked with turn 1's answer and its feedback, which names the failing tests.
    turn_two = [b for b in server.bodies if len(b["messages"]) == 3]
    assert len(turn_two) == 4  # seeds 1 and 2 once, seed 3 twice (its 500, then the answer)
    feedback = {b["seed"]: b["messages"][2]["content"] for b in turn_two}
    assert "TestReverseMultibyte" in feedback[1] and "TestPalindromeUnicode" in feedback[1]
    assert "TestPalindromePunctuation" in feedback[2]
    assert "boom" not in feedback[3] and "500" not in feedback[3]
    assert server.requests["/v1/chat/completions seed=4 turn=2"] == 0

    rows = results_per_job(settings.database_url, job_ids)
    assert [(rows[j]["state"], rows[j]["verdict"]) for j in job_ids] == [
        ("done", "ok"),
        ("done", "test_fail"),
        ("done", "ok"),
        ("done", "ok"),
    ]
    assert [(rows[j]["generations"], rows[j]["grades"]) for j in job_ids] == [(2, 2), (2, 2), (2, 2), (1, 1)]


def test_a_worker_killed_between_turns_leaves_the_next_turn_to_another(
    settings: Settings, server: RecordedServer, tmp_path: Path
) -> None:
    server.queue_turns(7, {1: [answer("bytes")], 2: [answer("reference")]})
    (job_id,) = insert_jobs(settings.database_url, MODEL, [EXAM], [7], TWO_TURN_PARAMS)
    producer = Producer(settings.redis_url)
    database_url = settings.database_url
    try:
        fast = {**ENV, "VISIBILITY_TIMEOUT_S": "10", "JOB_LEASE_S": "3", "RECONCILE_INTERVAL_S": "2"}
        with fleet(database_url, settings.redis_url, tmp_path, LLAMA_SWAP_URL=server.url, **fast) as f:
            cpu = f.start("cpu", "cpu@replay", "--concurrency", "1")
            # Turn 1 generated and graded, then the only GPU worker is killed before turn 2 is asked.
            first = f.start("gpu", "gpu@first")
            producer.generate(job_id, MODEL)
            wait_for(
                lambda: query(database_url, "SELECT 1 FROM jobs WHERE id = %s AND turn = 2", (job_id,)),
                120,
                lambda: first.log() + cpu.log(),
            )
            first.kill()
            assert server.requests["/v1/chat/completions seed=7 turn=2"] <= 1
            f.start("gpu", "gpu@second")
            wait_for(
                lambda: jobs_done(database_url, [job_id]), 180, lambda: "\n".join(w.log() for w in f.workers)
            )
            wait_for(lambda: broker_idle(settings.redis_url, [generation_queue(MODEL), GRADING_QUEUE]), 60)
    finally:
        producer.close()
    turns = turns_of(database_url, job_id)
    assert [(t["turn"], t["verdict"]) for t in turns] == [(1, "test_fail"), (2, "ok")]
    row = results_per_job(database_url, [job_id])[job_id]
    assert (row["verdict"], row["generations"], row["grades"]) == ("ok", 2, 2)
