"""The job lifecycle SQL on a real Postgres: claims, leases, takeovers, results stored once."""

from __future__ import annotations

import time
from importlib.metadata import version

import pytest

from exams.types import Grade, Verdict
from scheduler.core.settings import Settings
from scheduler.db import QUANTSWEEP_VERSION, lifecycle
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, GradingClaim, Refusal, Refused
from scheduler.db.vocabulary import Outcome
from testkit.workers import insert_jobs, query, results_per_job

PARAMS = {"temperature": 1.0, "context": 1024, "max_tokens": 64, "timeout_s": 30, "options": {}}


@pytest.fixture
def job_id(settings: Settings) -> int:
    return insert_jobs(settings.database_url, "m", ["v1"], [42], PARAMS)[0]


def claim_generation(job_id: int, worker: str = "gpu@a", lease_s: float = 30) -> GenerationClaim:
    claim = lifecycle.claim_generation(job_id, worker, "task", lease_s)
    assert isinstance(claim, GenerationClaim), claim
    return claim


def claim_grading(job_id: int, worker: str = "cpu@a", lease_s: float = 30) -> GradingClaim:
    claim = lifecycle.claim_grading(job_id, worker, lease_s)
    assert isinstance(claim, GradingClaim), claim
    return claim


def a_grade(verdict: Verdict = Verdict.TEST_FAIL, version: str = "v1-test") -> Grade:
    return Grade("v1", 9, 15, True, verdict, [], version, 0.5)


def generated(job_id: int) -> int:
    claim = claim_generation(job_id)
    generation_id = lifecycle.store_generation(claim, GenerationRecord(outcome=Outcome.OK, response_text="x"))
    assert generation_id is not None
    return generation_id


def test_a_second_claim_on_a_leased_job_is_told_to_wait_for_the_lease(job_id: int) -> None:
    claim_generation(job_id, lease_s=30)
    refused = lifecycle.claim_generation(job_id, "gpu@b", "task", 30)
    assert isinstance(refused, Refused)
    assert refused.reason is Refusal.LEASED
    assert 25 < refused.retry_after_s <= 30


def test_an_expired_lease_is_taken_over_as_a_new_attempt(settings: Settings, job_id: int) -> None:
    first = claim_generation(job_id, "gpu@dead", lease_s=0.2)
    time.sleep(0.4)
    second = claim_generation(job_id, "gpu@alive")
    assert second.attempt_number == first.attempt_number + 1
    assert lifecycle.store_generation(second, GenerationRecord(outcome=Outcome.OK)) is not None
    assert lifecycle.store_generation(first, GenerationRecord(outcome=Outcome.OK)) is None
    states = query(settings.database_url, "SELECT number, state FROM attempts ORDER BY number")
    assert states == [{"number": 1, "state": "abandoned"}, {"number": 2, "state": "finished"}]


def test_a_taken_over_attempt_that_finishes_first_keeps_its_generation_and_the_other_is_dropped(
    settings: Settings, job_id: int
) -> None:
    cut_off = claim_generation(job_id, "gpu@cut-off", lease_s=0.2)  # its database went away mid-generation
    time.sleep(0.4)
    takeover = claim_generation(job_id, "gpu@other")
    assert (
        lifecycle.store_generation(cut_off, GenerationRecord(outcome=Outcome.OK, response_text="done"))
        is not None
    )
    assert lifecycle.store_generation(takeover, GenerationRecord(outcome=Outcome.OK)) is None
    assert not lifecycle.renew_lease(job_id, takeover.lease_owner, 30), "the later attempt must stop"
    row = results_per_job(settings.database_url, [job_id])[job_id]
    assert (row["state"], row["generations"]) == ("generated", 1)
    states = query(settings.database_url, "SELECT number, state FROM attempts ORDER BY number")
    assert states == [{"number": 1, "state": "finished"}, {"number": 2, "state": "abandoned"}]


def test_a_grade_stored_after_its_claim_was_taken_over_finishes_the_job_once(
    settings: Settings, job_id: int
) -> None:
    generation_id = generated(job_id)
    slow = claim_grading(job_id, "cpu@slow", lease_s=0.2)
    time.sleep(0.4)
    takeover = claim_grading(job_id, "cpu@other")
    _, finished = lifecycle.store_grade(job_id, generation_id, a_grade(), lease_owner=slow.lease_owner)
    _, again = lifecycle.store_grade(
        job_id, generation_id, a_grade(Verdict.OK), lease_owner=takeover.lease_owner
    )
    assert (finished, again) == (True, False)
    row = results_per_job(settings.database_url, [job_id])[job_id]
    assert (row["state"], row["verdict"], row["grades"]) == ("done", "test_fail", 1)


def test_a_regrade_of_a_job_still_waiting_for_its_grade_finishes_it(settings: Settings, job_id: int) -> None:
    generation_id = generated(job_id)  # its grade message was lost: the job stays generated
    _, finished = lifecycle.store_grade(
        job_id, generation_id, a_grade(Verdict.OK, "v1-new"), lease_owner=None
    )
    assert finished
    assert query(settings.database_url, "SELECT state, verdict FROM jobs") == [
        {"state": "done", "verdict": "ok"}
    ]


def test_renewing_keeps_the_lease_and_fails_once_it_was_taken_over(job_id: int) -> None:
    first = claim_generation(job_id, lease_s=0.3)
    assert lifecycle.renew_lease(job_id, first.lease_owner, 0.3)
    time.sleep(0.5)
    claim_generation(job_id, "gpu@b")
    assert not lifecycle.renew_lease(job_id, first.lease_owner, 30)


def test_a_generate_message_after_the_generation_is_stored_is_refused_as_generated(job_id: int) -> None:
    generated(job_id)
    refused = lifecycle.claim_generation(job_id, "gpu@b", "task", 30)
    assert refused == Refused(Refusal.GENERATED, "generated")


def test_grading_before_generation_is_not_ready_and_a_missing_job_is_missing(job_id: int) -> None:
    assert lifecycle.claim_grading(job_id, "cpu@a", 30) == Refused(Refusal.NOT_READY, "queued")
    missing = lifecycle.claim_grading(job_id + 1000, "cpu@a", 30)
    assert isinstance(missing, Refused) and missing.reason is Refusal.MISSING


def test_a_grade_is_stored_once_and_finishes_the_job(settings: Settings, job_id: int) -> None:
    generation_id = generated(job_id)
    claim = lifecycle.claim_grading(job_id, "cpu@a", 30)
    assert isinstance(claim, GradingClaim) and claim.generation.id == generation_id
    grade_id, finished = lifecycle.store_grade(
        job_id, generation_id, a_grade(), lease_owner=claim.lease_owner
    )
    again_id, again = lifecycle.store_grade(job_id, generation_id, a_grade(), lease_owner=claim.lease_owner)
    assert (finished, again, again_id) == (True, False, grade_id)
    row = results_per_job(settings.database_url, [job_id])[job_id]
    assert (row["state"], row["verdict"], row["grades"]) == ("done", "test_fail", 1)
    assert lifecycle.claim_grading(job_id, "cpu@b", 30) == Refused(Refusal.FINISHED, "done")


def test_a_stored_generation_and_grade_record_the_quantsweep_version_beside_the_graders(
    settings: Settings, job_id: int
) -> None:
    generation_id = generated(job_id)
    claim = lifecycle.claim_grading(job_id, "cpu@a", 30)
    assert isinstance(claim, GradingClaim)
    lifecycle.store_grade(job_id, generation_id, a_grade(version="v1-abc"), lease_owner=claim.lease_owner)
    [generation] = query(settings.database_url, "SELECT quantsweep_version FROM generations")
    [grade] = query(settings.database_url, "SELECT grader_version, quantsweep_version FROM grades")
    assert version("quantsweep") == QUANTSWEEP_VERSION != ""
    assert generation["quantsweep_version"] == QUANTSWEEP_VERSION
    assert grade == {"grader_version": "v1-abc", "quantsweep_version": QUANTSWEEP_VERSION}


def test_a_regrade_adds_a_row_per_grader_version_and_round_and_keeps_the_old_one(
    settings: Settings, job_id: int
) -> None:
    generation_id = generated(job_id)
    claim = lifecycle.claim_grading(job_id, "cpu@a", 30)
    assert isinstance(claim, GradingClaim)
    lifecycle.store_grade(job_id, generation_id, a_grade(), lease_owner=claim.lease_owner)
    new_version = a_grade(Verdict.OK, "v1-new")
    lifecycle.store_grade(job_id, generation_id, new_version, lease_owner=None)
    lifecycle.store_grade(job_id, generation_id, new_version, lease_owner=None)  # same message twice
    lifecycle.store_grade(job_id, generation_id, new_version, lease_owner=None, grade_round=2)
    rows = query(settings.database_url, "SELECT grader_version, round FROM grades ORDER BY id")
    assert rows == [
        {"grader_version": "v1-test", "round": 1},
        {"grader_version": "v1-new", "round": 1},
        {"grader_version": "v1-new", "round": 2},
    ]
    assert query(settings.database_url, "SELECT verdict FROM jobs") == [{"verdict": "ok"}]


def test_a_released_generation_goes_back_to_queued_for_the_next_message(
    settings: Settings, job_id: int
) -> None:
    claim = claim_generation(job_id)
    lifecycle.release_generation(claim, "RuntimeError: boom")
    assert query(settings.database_url, "SELECT state, lease_owner FROM jobs") == [
        {"state": "queued", "lease_owner": None}
    ]
    assert claim_generation(job_id).attempt_number == 2


@pytest.mark.parametrize(
    ("outcome", "loaded"),
    [
        (Outcome.OK, True),
        (Outcome.TRUNCATED, True),
        (Outcome.SERVER_ERROR, False),
        (Outcome.GEN_TIMEOUT, False),
    ],
)
def test_a_generation_the_server_finished_records_its_model_as_the_workers_loaded_one(
    settings: Settings, job_id: int, outcome: Outcome, loaded: bool
) -> None:
    from scheduler.db.workers import announce_worker

    announce_worker("gpu@a", "gpu", ["m"], {}, settings)
    claim = claim_generation(job_id, worker="gpu@a")
    lifecycle.store_generation(claim, GenerationRecord(outcome=outcome))
    (row,) = query(settings.database_url, "SELECT loaded_model FROM workers WHERE name = 'gpu@a'")
    assert row["loaded_model"] == (claim.model if loaded else None)
