"""The two tasks. Each takes a job id, claims the job in Postgres, does its work, stores the result
once, and hands over to the next stage.

    generate(job_id)                                            queue gen.<model>, GPU workers
    grade(job_id, generation_id=None, regrade=False, grade_round=1)    queue cpu, CPU workers

A message received twice, late, or for a finished job does nothing harmful: the claim refuses
it. A job held by a live worker (lease not expired) is retried after the lease's remaining time;
a job whose worker died (lease expired) is taken over, as a new attempt. A generate message for
a job whose model is paused (the infrastructure tripwire, `scheduler/fleet/pauses.py`) is put back at
the tail of its queue unclaimed: no attempt, no verdict.

`grade(job_id, generation_id=G, regrade=True, grade_round=R)` grades a stored generation again
without touching the job's state: a new row for (G, current grader version, R), the old rows
left as they are; sending the same message twice stores one row. `scheduler regrade` sends it
with round 1 for a new grader version, and a round above the highest stored one to force a
second grade by the same version.

A grade that comes back `grader_error` (our side failed: a toolchain, a time limit of ours) is
graded again from the same generation, never generated again, after GRADER_ERROR_RETRY_S, until
the job's grading was claimed MAX_ATTEMPTS times; the last grader_error is stored with "graded N
times" in its log. The warning each retry logs names the try and the cause.

A value the database refuses (`REFUSED_VALUE_ERRORS`: a figure out of range) is never stored again
as it is: the generation is stored without its figures, its answer kept (`_store_generation`).
Answers and diagnostics hold any text a server sends (`scheduler/db/text.py`).

A lost database is handled like a lost worker, never acknowledged away: a claim that cannot be
made is retried with backoff (`DB_RETRY_S`, doubling, capped at `DB_RETRY_MAX_S`), a claim
that cannot be given back keeps its lease until it expires, and a finished generation or grade
whose storing fails is stored again and again (same backoff) for up to `STORE_PATIENCE_S` while
this task keeps its lease alive. A grade message that cannot be sent (Redis away) is left to
the reconciler (`worker/reconciler.py`), which finds the job `generated` with no message in
flight and sends it.

The tasks are `shared_task`s: they join the current Celery app, which `worker/app.py` builds before
it imports this module.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from exams.types import PromptStyle, Verdict
from scheduler.core import messages
from scheduler.core.messages import BROKER_ERRORS
from scheduler.core.queues import GENERATE_TASK, GRADE_TASK, generation_queue
from scheduler.core.settings import get_settings
from scheduler.db import DATABASE_ERRORS, REFUSED_VALUE_ERRORS, lifecycle
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, GradingClaim, Refusal, Refused
from scheduler.db.vocabulary import Outcome
from worker.client import ChatClient, ChatRequest
from worker.generation import RetryPolicy, generate_with_retries
from worker.grading import exam_prompt, grade_generation, infra_grade
from worker.lease import LeaseKeeper
from worker.provenance import provenance
from worker.slots import note_concurrency
from worker.turns import conversation_of, repair_feedback, send_next_turn, turn_prompt

log = logging.getLogger(__name__)

MISSING_RETRIES = 5  # a job not visible yet: its submitter's transaction may still be committing
MISSING_RETRY_S = 1.0
ERROR_RETRIES = 3  # an unexpected failure (a bug, the database away): the claim is given back
ERROR_RETRY_S = 30.0
LEASE_WAIT_RETRIES = 10_000  # a live lease always ends (finished or expired): effectively unbounded
DB_RETRY_S = 2.0  # first pause after the database was away, doubled each time
DB_RETRY_MAX_S = 30.0
STORE_PATIENCE_S = 900.0  # how long a finished result waits for the database before it is given up
# A grader_error (our side failed) is graded again, the same generation, until the job's grading
# was claimed MAX_ATTEMPTS times; then it is stored, its log saying how many tries it had.
GRADER_ERROR_RETRY_S = 5.0
# After handing back a paused model's job: the worker's consumer of that queue is cancelled at the
# dispatch's next poll; until then, do not spin on the same message.
PAUSED_HAND_BACK_S = 1.0

T = TypeVar("T")


@shared_task(name=GENERATE_TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
def generate(self: Any, job_id: int) -> str:
    """Generate one job's response on this machine's llama-swap, store it, enqueue its grade."""
    settings = get_settings()
    worker = str(self.request.hostname or settings.worker_host)
    try:
        claim = lifecycle.claim_generation(job_id, worker, self.request.id, settings.job_lease_s)
    except DATABASE_ERRORS as exc:
        raise _database_retry(self, job_id, exc) from exc
    if isinstance(claim, Refused):
        if claim.reason is Refusal.GENERATED:
            send_grade(job_id)  # the worker that stored it may have died before sending this
        return _refused(self, job_id, claim)
    with LeaseKeeper(job_id, claim.lease_owner, settings.job_lease_s) as keeper:
        if claim.turn_attempt > settings.max_attempts:
            error = f"gave up after {settings.max_attempts} attempts: the workers running it were lost"
            record = GenerationRecord(outcome=Outcome.SERVER_ERROR, error=error)
        else:
            try:
                record = _generate(claim, keeper)
            except SoftTimeLimitExceeded:
                record = GenerationRecord(
                    outcome=Outcome.GEN_TIMEOUT, error="the task's soft time limit passed"
                )
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                _give_back(job_id, lambda: lifecycle.release_generation(claim, error))
                raise self.retry(exc=exc, countdown=ERROR_RETRY_S, max_retries=ERROR_RETRIES) from exc
        stored, record = _store_generation(self, claim, record)
    if stored is None:
        log.warning(
            "job %s: another attempt stored its generation before attempt %s; this one is dropped",
            job_id,
            claim.attempt_number,
        )
        return "duplicate"
    note_concurrency(claim.attempt_id)
    send_grade(job_id)
    return str(record.outcome)


def _store_generation(
    task: Any, claim: GenerationClaim, record: GenerationRecord
) -> tuple[int | None, GenerationRecord]:
    """Store the generation (see `_store`); when the database refuses one of its values, which
    would fail again on every try, store it without its figures, answer kept: the job is graded,
    never generated again for it. Returns (generation id or None for a duplicate, what was stored)."""
    try:
        return _store(task, claim.job_id, lambda: lifecycle.store_generation(claim, record)), record
    except REFUSED_VALUE_ERRORS as exc:
        diag = getattr(exc, "diag", None)
        detail = str((diag and diag.message_primary) or exc)
        why = f"the database refused this generation's figures ({detail.strip()}); stored without them"
        log.warning("job %s: %s", claim.job_id, why)
        bare = record.bare(why)
        return _store(task, claim.job_id, lambda: lifecycle.store_generation(claim, bare)), bare


def _generate(claim: GenerationClaim, keeper: LeaseKeeper) -> GenerationRecord:
    settings = get_settings()
    params = claim.params
    prompt = exam_prompt(claim.exam, params.get("prompt_style") or PromptStyle.CHAT)
    text, history = turn_prompt(prompt, conversation_of(claim))
    request = ChatRequest(
        model=claim.model,
        prompt=text,
        seed=claim.seed,
        temperature=float(params["temperature"]),
        max_tokens=int(params["max_tokens"]),
        timeout_s=float(params["timeout_s"]),
        options=dict(params.get("options") or {}),
        style=prompt.style,
        stop=prompt.stop,
        history=history,
    )
    client = _chat_client(settings.llama_swap_url)
    policy = RetryPolicy(retries=settings.generation_retries, backoff_s=settings.generation_backoff_s)
    record = generate_with_retries(client, request, policy, stop=keeper.lost)
    # Provenance (worker/provenance.py): server build and settings, model file, machine; and,
    # where the worker knows it, the server's binary.
    server = provenance(client, claim.model)
    if settings.llama_server:
        server["binary"] = settings.llama_server
    return replace(record, server_info={**server, **record.server_info})


_clients: dict[str, ChatClient] = {}


def _chat_client(base_url: str) -> ChatClient:
    """This pool process's client (its connections are kept between tasks; made after the fork)."""
    if base_url not in _clients:
        _clients[base_url] = ChatClient(base_url)
    return _clients[base_url]


def send_grade(job_id: int) -> bool:
    """Enqueue `grade(job_id)` on the CPU queue; False when Redis is away (the reconciler sends it later)."""
    try:
        messages.send_grade(grade.app, job_id)
    except BROKER_ERRORS as exc:
        log.warning("job %s: grade message not sent (%s); the reconciler will send it", job_id, exc)
        return False
    return True


def _database_retry(task: Any, job_id: int, exc: Exception) -> Exception:
    """This message again after a backoff: the database is away, as a worker may be (never acked away)."""
    countdown = min(DB_RETRY_MAX_S, DB_RETRY_S * 2 ** min(task.request.retries, 10))
    log.warning("job %s: database unavailable (%s); %s retried in %.0f s", job_id, exc, task.name, countdown)
    return task.retry(exc=exc, countdown=countdown, max_retries=None)  # type: ignore[no-any-return]


def _store(task: Any, job_id: int, store: Callable[[], T]) -> T:
    """Run `store` until the database takes it (backoff, up to STORE_PATIENCE_S), then give up as a lost worker."""
    deadline = time.monotonic() + STORE_PATIENCE_S
    pause_s = DB_RETRY_S
    while True:
        try:
            return store()
        except DATABASE_ERRORS as exc:
            if time.monotonic() + pause_s > deadline:
                raise _database_retry(task, job_id, exc) from exc
            log.warning("job %s: storing the result failed (%s); again in %.0f s", job_id, exc, pause_s)
            time.sleep(pause_s)
            pause_s = min(DB_RETRY_MAX_S, pause_s * 2)


def _give_back(job_id: int, release: Callable[[], None]) -> None:
    """Give a claim back; with the database away it stays leased until the lease expires (then taken over)."""
    try:
        release()
    except DATABASE_ERRORS:
        log.warning("job %s: could not give the claim back; it is taken over when its lease expires", job_id)


@shared_task(name=GRADE_TASK, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
def grade(
    self: Any, job_id: int, generation_id: int | None = None, regrade: bool = False, grade_round: int = 1
) -> str:
    """Grade a job's generation (or regrade a stored one), store the grade, finish the job."""
    settings = get_settings()
    worker = str(self.request.hostname or settings.worker_host)
    if regrade:
        return _regrade(self, job_id, generation_id, grade_round, worker)
    try:
        claim = lifecycle.claim_grading(job_id, worker, settings.job_lease_s, generation_id)
    except DATABASE_ERRORS as exc:
        raise _database_retry(self, job_id, exc) from exc
    if isinstance(claim, Refused):
        return _refused(self, job_id, claim)
    with LeaseKeeper(job_id, claim.lease_owner, settings.job_lease_s):
        if claim.claims > settings.max_attempts:
            detail = f"grading was interrupted {claim.claims - 1} times (the grader's process died)"
            result = infra_grade(claim.generation.exam, Verdict.GRADER_ERROR, detail)
        else:
            try:
                result = grade_generation(claim.generation)
            except SoftTimeLimitExceeded:
                detail = "the grade task's soft time limit passed"
                result = infra_grade(claim.generation.exam, Verdict.GRADER_ERROR, detail)
            except Exception as exc:
                _give_back(job_id, lambda: lifecycle.release_grading(claim))
                raise self.retry(exc=exc, countdown=ERROR_RETRY_S, max_retries=ERROR_RETRIES) from exc
            if result.verdict == Verdict.GRADER_ERROR:
                if claim.claims < settings.max_attempts:
                    why = (result.log or "").strip().splitlines()[-1:] or ["no detail"]
                    log.warning(
                        "job %s: grader_error on grading try %s of %s (%s); graded again in %.0f s",
                        job_id,
                        claim.claims,
                        settings.max_attempts,
                        why[0][:200],
                        GRADER_ERROR_RETRY_S,
                    )
                    _give_back(job_id, lambda: lifecycle.release_grading(claim))
                    raise self.retry(countdown=GRADER_ERROR_RETRY_S, max_retries=None)
                result.log = f"graded {claim.claims} times, each a grader_error; the last:\n{result.log}"
        feedback = repair_feedback(claim.generation, result)
        _store_grade(self, claim, result, grade_round, worker, feedback)
    if feedback is not None:
        send_next_turn(job_id)
    return str(result.verdict)


def _store_grade(
    task: Any, claim: GradingClaim, result: Any, grade_round: int, worker: str, feedback: str | None
) -> None:
    _store(
        task,
        claim.job_id,
        lambda: lifecycle.store_grade(
            claim.job_id,
            claim.generation.id,
            result,
            lease_owner=claim.lease_owner,
            grade_round=grade_round,
            worker_name=worker,
            started_at=claim.claimed_at,
            feedback=feedback,
        ),
    )


def _regrade(task: Any, job_id: int, generation_id: int | None, grade_round: int, worker: str) -> str:
    started_at = datetime.now(UTC)
    try:
        generation = (
            lifecycle.load_generation(generation_id)
            if generation_id is not None
            else lifecycle.latest_generation(job_id)
        )
    except DATABASE_ERRORS as exc:
        raise _database_retry(task, job_id, exc) from exc
    if generation is None:
        log.warning("regrade of job %s: no generation %s", job_id, generation_id or "(latest)")
        return "missing"
    result = grade_generation(generation)
    _store(
        task,
        job_id,
        lambda: lifecycle.store_grade(
            generation.job_id,
            generation.id,
            result,
            lease_owner=None,
            grade_round=grade_round,
            worker_name=worker,
            started_at=started_at,
        ),
    )
    return str(result.verdict)


def _refused(task: Any, job_id: int, refused: Refused) -> str:
    """What a refused claim means for this message: retry it later, or drop it (harmless)."""
    settings = get_settings()
    if refused.reason is Refusal.LEASED:
        # Never wait longer than half the visibility timeout: a held-back retry must not be
        # redelivered as a duplicate while it waits.
        countdown = min(refused.retry_after_s + 1.0, settings.visibility_timeout_s / 2)
        raise task.retry(countdown=countdown, max_retries=LEASE_WAIT_RETRIES)
    if refused.reason is Refusal.PAUSED:
        return _hand_back_paused(task, job_id)
    if refused.reason is Refusal.MISSING and task.request.retries < MISSING_RETRIES:
        raise task.retry(countdown=MISSING_RETRY_S, max_retries=None)
    log.info("job %s: %s message not needed (%s, state %s)", job_id, task.name, refused.reason, refused.state)
    return str(refused.reason)


def _hand_back_paused(task: Any, job_id: int) -> str:
    """A paused model's job: the same message again at the tail of the queue it came from; no attempt."""
    delivery = task.request.delivery_info or {}
    queue = str(delivery.get("routing_key") or delivery.get("queue") or "")
    if not queue:
        queue = generation_queue(lifecycle.job_model(job_id) or "")
    messages.send_generate(task.app, job_id, queue)
    log.info("job %s: its model is paused; message put back on %s", job_id, queue)
    time.sleep(PAUSED_HAND_BACK_S)
    return str(Refusal.PAUSED)
