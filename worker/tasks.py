"""The two tasks. Each takes a job id, claims the job in Postgres, does its work, stores the result
once, and hands over to the next stage.

    generate(job_id)                                            queue gen.<model>, GPU pool
    grade(job_id, generation_id=None, regrade=False, grade_round=1)    queue cpu, CPU pool

A message received twice, late, or for a finished job does nothing harmful: the claim refuses
it. A job held by a live worker (lease not expired) is retried after the lease's remaining time;
a job whose worker died (lease expired) is taken over, as a new attempt.

`grade(job_id, generation_id=G, regrade=True, grade_round=R)` grades a stored generation again
without touching the job's state: a new row for (G, current grader version, R), the old rows
left as they are; sending the same message twice stores one row. `scheduler regrade` sends it
with round 1 for a new grader version, and a round above the highest stored one to force a
second grade by the same version.

The tasks are `shared_task`s: they join the current Celery app, which `worker/app.py` builds before
it imports this module.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from exams.types import Verdict
from scheduler.db import lifecycle
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, GradingClaim, Refusal, Refused
from scheduler.db.vocabulary import Outcome
from scheduler.queues import GENERATE_TASK, GRADE_TASK, GRADING_QUEUE
from scheduler.settings import get_settings
from worker.client import ChatClient, ChatRequest
from worker.fleet import bounce_unserved
from worker.generation import RetryPolicy, generate_once
from worker.grading import exam_prompt, grade_generation, infra_grade
from worker.lease import LeaseKeeper

log = logging.getLogger(__name__)

MISSING_RETRIES = 5  # a job not visible yet: its submitter's transaction may still be committing
MISSING_RETRY_S = 1.0
ERROR_RETRIES = 3  # an unexpected failure (a bug, the database away): the claim is given back
ERROR_RETRY_S = 30.0
LEASE_WAIT_RETRIES = 10_000  # a live lease always ends (finished or expired): effectively unbounded


@shared_task(name=GENERATE_TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
def generate(self: Any, job_id: int) -> str:
    """Generate one job's response on this machine's llama-swap, store it, enqueue its grade."""
    if bounce_unserved(self, job_id):  # only under DISPATCH=shared, the naive baseline (worker/fleet.py)
        return "bounced"
    settings = get_settings()
    worker = str(self.request.hostname or settings.worker_host)
    claim = lifecycle.claim_generation(job_id, worker, self.request.id, settings.job_lease_s)
    if isinstance(claim, Refused):
        if claim.reason is Refusal.GENERATED:
            send_grade(job_id)  # the worker that stored it may have died before sending this
        return _refused(self, job_id, claim)
    if claim.attempt_number > settings.max_attempts:
        error = f"gave up after {settings.max_attempts} attempts: the workers running it were lost"
        record = GenerationRecord(outcome=Outcome.SERVER_ERROR, error=error)
    else:
        with LeaseKeeper(job_id, claim.lease_owner, settings.job_lease_s) as keeper:
            try:
                record = _generate(claim, keeper)
            except SoftTimeLimitExceeded:
                record = GenerationRecord(
                    outcome=Outcome.GEN_TIMEOUT, error="the task's soft time limit passed"
                )
            except Exception as exc:
                lifecycle.release_generation(claim, f"{type(exc).__name__}: {exc}")
                raise self.retry(exc=exc, countdown=ERROR_RETRY_S, max_retries=ERROR_RETRIES) from exc
    if lifecycle.store_generation(claim, record) is None:
        log.warning(
            "job %s: lease lost during attempt %s; its result is dropped", job_id, claim.attempt_number
        )
        return "lease-lost"
    send_grade(job_id)
    return str(record.outcome)


def _generate(claim: GenerationClaim, keeper: LeaseKeeper) -> GenerationRecord:
    settings = get_settings()
    params = claim.params
    request = ChatRequest(
        model=claim.model,
        prompt=exam_prompt(claim.exam),
        seed=claim.seed,
        temperature=float(params["temperature"]),
        max_tokens=int(params["max_tokens"]),
        timeout_s=float(params["timeout_s"]),
        options=dict(params.get("options") or {}),
    )
    client = _chat_client(settings.llama_swap_url)
    policy = RetryPolicy(retries=settings.generation_retries, backoff_s=settings.generation_backoff_s)
    record = generate_once(client, request, policy, stop=keeper.lost)
    server = client.server_info(claim.model)
    return replace(record, server_info={**server, **record.server_info})


_clients: dict[str, ChatClient] = {}


def _chat_client(base_url: str) -> ChatClient:
    """This pool process's client (its connections are kept between tasks; made after the fork)."""
    if base_url not in _clients:
        _clients[base_url] = ChatClient(base_url)
    return _clients[base_url]


def send_grade(job_id: int) -> None:
    """Enqueue `grade(job_id)` on the CPU queue."""
    grade.apply_async(args=[job_id], queue=GRADING_QUEUE)


@shared_task(name=GRADE_TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
def grade(
    self: Any, job_id: int, generation_id: int | None = None, regrade: bool = False, grade_round: int = 1
) -> str:
    """Grade a job's generation (or regrade a stored one), store the grade, finish the job."""
    settings = get_settings()
    worker = str(self.request.hostname or settings.worker_host)
    if regrade:
        return _regrade(job_id, generation_id, grade_round, worker)
    claim = lifecycle.claim_grading(job_id, worker, settings.job_lease_s, generation_id)
    if isinstance(claim, Refused):
        return _refused(self, job_id, claim)
    if claim.claims > settings.max_attempts:
        detail = f"grading was interrupted {claim.claims - 1} times (the grader's process died)"
        result = infra_grade(claim.generation.exam, Verdict.GRADER_ERROR, detail)
    else:
        with LeaseKeeper(job_id, claim.lease_owner, settings.job_lease_s):
            try:
                result = grade_generation(claim.generation)
            except SoftTimeLimitExceeded:
                detail = "the grade task's soft time limit passed"
                result = infra_grade(claim.generation.exam, Verdict.GRADER_ERROR, detail)
            except Exception as exc:
                _release_grading(claim)
                raise self.retry(exc=exc, countdown=ERROR_RETRY_S, max_retries=ERROR_RETRIES) from exc
    lifecycle.store_grade(
        job_id,
        claim.generation.id,
        result,
        lease_owner=claim.lease_owner,
        grade_round=grade_round,
        grader_host=worker,
        started_at=claim.claimed_at,
    )
    return str(result.verdict)


def _regrade(job_id: int, generation_id: int | None, grade_round: int, worker: str) -> str:
    started_at = datetime.now(UTC)
    generation = (
        lifecycle.load_generation(generation_id)
        if generation_id is not None
        else lifecycle.latest_generation(job_id)
    )
    if generation is None:
        log.warning("regrade of job %s: no generation %s", job_id, generation_id or "(latest)")
        return "missing"
    result = grade_generation(generation)
    lifecycle.store_grade(
        generation.job_id,
        generation.id,
        result,
        lease_owner=None,
        grade_round=grade_round,
        grader_host=worker,
        started_at=started_at,
    )
    return str(result.verdict)


def _release_grading(claim: GradingClaim) -> None:
    try:
        lifecycle.release_grading(claim)
    except Exception:
        log.exception("job %s: could not give the grading claim back", claim.job_id)


def _refused(task: Any, job_id: int, refused: Refused) -> str:
    """What a refused claim means for this message: retry it later, or drop it (harmless)."""
    settings = get_settings()
    if refused.reason is Refusal.LEASED:
        # Never wait longer than half the visibility timeout: a held-back retry must not be
        # redelivered as a duplicate while it waits.
        countdown = min(refused.retry_after_s + 1.0, settings.visibility_timeout_s / 2)
        raise task.retry(countdown=countdown, max_retries=LEASE_WAIT_RETRIES)
    if refused.reason is Refusal.MISSING and task.request.retries < MISSING_RETRIES:
        raise task.retry(countdown=MISSING_RETRY_S, max_retries=None)
    log.info("job %s: %s message not needed (%s, state %s)", job_id, task.name, refused.reason, refused.state)
    return str(refused.reason)
