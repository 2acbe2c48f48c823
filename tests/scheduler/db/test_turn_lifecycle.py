"""A conversation's turns in the job lifecycle (scheduler/db/turns.py): an infrastructure outcome
on a later turn ends the job as an infra verdict and is never shown to the model; submitting again
retries that turn; --rerun starts the conversation over; a truncated turn ends it."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from scheduler.core.settings import Settings
from scheduler.db import turns
from scheduler.db.lifecycle import GenerationRecord
from scheduler.db.sweeps import JobKeys, enqueue_jobs
from scheduler.db.vocabulary import Outcome
from scheduler.results.jobs import params_hash
from testkit.workers import insert_jobs, query
from tests.support.turns import EXAM, TWO_TURN_PARAMS, recorded_answer, take_turn

MODEL = "m"


def answered(case: str, finish_reason: str = "stop") -> GenerationRecord:
    outcome = Outcome.TRUNCATED if finish_reason == "length" else Outcome.OK
    return GenerationRecord(outcome, response_text=recorded_answer(case), finish_reason=finish_reason)


def resubmit(settings: Settings, *, rerun: bool) -> list[int]:
    keys = JobKeys(
        sweep="test", models=[MODEL], exams=[EXAM], seeds=[1], hashes=[params_hash(TWO_TURN_PARAMS)]
    )
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        return [int(r["id"]) for r in enqueue_jobs(conn, keys, rerun=rerun, requeue=False)]


def job(settings: Settings, job_id: int) -> dict[str, object]:
    return query(settings.database_url, "SELECT state, verdict, turn FROM jobs WHERE id = %s", (job_id,))[0]


def test_an_infra_outcome_on_turn_two_ends_the_job_and_a_resubmission_retries_that_turn(
    settings: Settings,
) -> None:
    (job_id,) = insert_jobs(settings.database_url, MODEL, [EXAM], [1], TWO_TURN_PARAMS)
    assert take_turn(job_id, answered("bytes")) == (1, "test_fail")
    assert job(settings, job_id) == {"state": "queued", "verdict": None, "turn": 2}
    broken = GenerationRecord(Outcome.SERVER_ERROR, error="4 tries failed; last: HTTP 500 boom")
    assert take_turn(job_id, broken) == (2, "server_error")
    assert job(settings, job_id) == {"state": "done", "verdict": "server_error", "turn": 2}

    assert resubmit(settings, rerun=False) == [job_id]
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        history = turns.conversation(conn, job_id, 2)
    assert [e.turn for e in history] == [1] and "TestReverseMultibyte" in history[0].feedback
    assert "boom" not in history[0].feedback and "500" not in history[0].feedback
    assert take_turn(job_id, answered("reference")) == (2, "ok")
    assert job(settings, job_id) == {"state": "done", "verdict": "ok", "turn": 2}

    assert resubmit(settings, rerun=True) == [job_id]
    assert job(settings, job_id)["turn"] == 1
    assert take_turn(job_id, answered("reference")) == (1, "ok")
    assert job(settings, job_id) == {"state": "done", "verdict": "ok", "turn": 1}


def test_a_truncated_turn_ends_the_conversation(settings: Settings) -> None:
    (job_id,) = insert_jobs(settings.database_url, MODEL, [EXAM], [1], TWO_TURN_PARAMS)
    turn, _ = take_turn(job_id, answered("bytes", finish_reason="length"))
    assert turn == 1
    state = job(settings, job_id)
    assert (state["state"], state["turn"]) == ("done", 1)
    feedback = query(settings.database_url, "SELECT feedback FROM grades")
    assert feedback == [{"feedback": None}]
