"""A job's lifecycle in SQL: claims under a lease, results stored once, the job finished.

    queued --claim_generation--> generating --store_generation--> generated
    generated --claim_grading--> grading --store_grade--> done

Every claim is one conditional UPDATE, so of two workers holding the same message only one wins.
A claim carries a lease the worker renews while it works (`renew_lease`); a lease that has
expired means its worker died, and the next claim takes the job over (a new attempt for a
generation). Results are inserted with ON CONFLICT on their natural keys (one generation per
attempt; one grade per generation, grader version and round), so a duplicate is a no-op.
Times are the database's clock (`now()`), never a worker's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from psycopg.types.json import Jsonb

from scheduler.db import QUANTSWEEP_VERSION, transaction, turns
from scheduler.db.text import answer_texts, storable, stored_answers
from scheduler.db.vocabulary import AnswerSource, AttemptState, JobState, Outcome, sql_list


class Refusal(StrEnum):
    """Why a claim was not granted; the task decides what that means for its message."""

    MISSING = "missing"  # no such job (yet: the submitter's transaction may not have committed)
    LEASED = "leased"  # a live worker holds it: try again after `retry_after_s`
    GENERATED = "generated"  # generation already stored: only the grade message may be missing
    NOT_READY = "not_ready"  # a grade asked for before there is a generation to grade
    FINISHED = "finished"  # nothing left for this message to do
    PAUSED = "paused"  # its model is paused (scheduler/fleet/pauses.py): the message goes back to its queue


@dataclass(frozen=True)
class Refused:
    """A claim that was not granted."""

    reason: Refusal
    state: str | None = None
    retry_after_s: float = 0.0


@dataclass(frozen=True)
class GenerationClaim:
    """The right to generate one job, as one attempt."""

    job_id: int
    model: str
    exam: str
    seed: int
    params: dict[str, Any]
    lease_owner: str
    attempt_id: int
    attempt_number: int
    turn: int = 1  # the turn of the job's conversation this generation answers (scheduler/db/turns.py)
    turn_attempt: int = 1  # which attempt at this turn it is (attempt_number for a one-turn job)


@dataclass(frozen=True)
class StoredGeneration:
    """A stored generation, as the grader needs it."""

    id: int
    job_id: int
    exam: str
    outcome: Outcome
    response_text: str
    finish_reason: str | None
    error: str | None
    reasoning_text: str = ""
    answer_source: str = AnswerSource.CONTENT
    prompt_style: str = "chat"  # the job's (jobs.params.prompt_style; chat for jobs from before styles)
    turn: int = 1  # the turn it answers
    turns: int = 1  # the job's turn budget (jobs.params.turns; 1 for a one-turn job)

    @property
    def answer_text(self) -> str:
        """The text to grade: the content, or the reasoning when that is where the answer is."""
        return self.reasoning_text if self.answer_source == AnswerSource.REASONING else self.response_text


@dataclass(frozen=True)
class GradingClaim:
    """The right to grade one job's generation."""

    job_id: int
    lease_owner: str
    claims: int  # how many times this job's grading was claimed (worker deaths included)
    generation: StoredGeneration
    claimed_at: datetime


@dataclass(frozen=True)
class GenerationRecord:
    """What a generation produced, ready to store (see `generations` in the schema)."""

    outcome: Outcome
    response_text: str = ""
    reasoning_text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tps: float | None = None
    decode_tps: float | None = None
    timings: dict[str, Any] | None = None
    first_token_s: float | None = None
    wall_s: float | None = None
    server_info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    answer_source: str = AnswerSource.CONTENT

    def bare(self, why: str) -> GenerationRecord:
        """This record with only its outcome, texts and answer source, and `why` as its error: what
        is stored when the database refused one of its figures (storing it again would fail again)."""
        error = why if self.error is None else f"{why}; {self.error}"
        return GenerationRecord(
            outcome=self.outcome,
            response_text=self.response_text,
            reasoning_text=self.reasoning_text,
            finish_reason=self.finish_reason,
            error=error[:2000],
            answer_source=self.answer_source,
        )


def new_lease_owner(worker_name: str) -> str:
    """A token naming one claim by one worker (unique even when a worker claims twice)."""
    return f"{worker_name}#{uuid.uuid4().hex[:12]}"


_LEASE = "now() + make_interval(secs => %(lease_s)s)"
_EXPIRED = "(lease_expires_at IS NULL OR lease_expires_at < now())"


def claim_generation(
    job_id: int, worker_name: str, task_id: str | None, lease_s: float
) -> GenerationClaim | Refused:
    """Take a queued job (or one whose generating worker's lease expired) and open an attempt."""
    owner = new_lease_owner(worker_name)
    args = {"id": job_id, "owner": owner, "lease_s": lease_s}
    with transaction() as conn:
        row = conn.execute(
            f"UPDATE jobs SET state = '{JobState.GENERATING}', lease_owner = %(owner)s,"
            f"  lease_expires_at = {_LEASE}, updated_at = now()"
            f" WHERE id = %(id)s AND (state IN ({sql_list(JobState.PENDING, JobState.QUEUED)})"
            f"   OR (state = '{JobState.GENERATING}' AND {_EXPIRED}))"
            f"   AND NOT EXISTS (SELECT 1 FROM model_pauses p WHERE p.model = jobs.model AND p.resumed_at IS NULL)"
            " RETURNING id, model, exam, seed, params, turn",
            args,
        ).fetchone()
        if row is None:
            return _refusal(conn, job_id, grading=False)
        conn.execute(
            f"UPDATE attempts SET state = '{AttemptState.ABANDONED}', finished_at = now(),"
            "  error = coalesce(error, 'lease expired: the worker was lost')"
            f" WHERE job_id = %s AND state = '{AttemptState.RUNNING}'",
            (job_id,),
        )
        attempt = conn.execute(
            "INSERT INTO attempts (job_id, number, worker_name, task_id, turn)"
            " SELECT %(id)s, coalesce(max(number), 0) + 1, %(worker)s, %(task)s, %(turn)s FROM attempts"
            " WHERE job_id = %(id)s RETURNING id, number,"
            " (SELECT count(*) FROM attempts WHERE job_id = %(id)s AND turn = %(turn)s) + 1 AS turn_attempt",
            {"id": job_id, "worker": worker_name, "task": task_id, "turn": row["turn"]},
        ).fetchone()
        assert attempt is not None
    return GenerationClaim(
        job_id=row["id"],
        model=row["model"],
        exam=row["exam"],
        seed=int(row["seed"]),
        params=dict(row["params"]),
        lease_owner=owner,
        attempt_id=attempt["id"],
        attempt_number=attempt["number"],
        turn=int(row["turn"]),
        turn_attempt=int(attempt["turn_attempt"]),
    )


def claim_grading(
    job_id: int, worker_name: str, lease_s: float, generation_id: int | None = None
) -> GradingClaim | Refused:
    """Take a generated job (or one whose grading worker's lease expired) for grading."""
    owner = new_lease_owner(worker_name)
    with transaction() as conn:
        row = conn.execute(
            f"UPDATE jobs SET state = '{JobState.GRADING}', lease_owner = %(owner)s,"
            f"  lease_expires_at = {_LEASE}, grading_claims = grading_claims + 1, updated_at = now()"
            f" WHERE id = %(id)s AND (state = '{JobState.GENERATED}'"
            f"   OR (state = '{JobState.GRADING}' AND {_EXPIRED}))"
            " RETURNING id, grading_claims, now() AS claimed_at",
            {"id": job_id, "owner": owner, "lease_s": lease_s},
        ).fetchone()
        if row is None:
            return _refusal(conn, job_id, grading=True)
        generation = _load_generation(conn, job_id, generation_id)
        if generation is None:
            conn.rollback()
            return Refused(Refusal.NOT_READY, JobState.GENERATED)
    return GradingClaim(
        job_id=job_id,
        lease_owner=owner,
        claims=row["grading_claims"],
        generation=generation,
        claimed_at=row["claimed_at"],
    )


def renew_lease(job_id: int, lease_owner: str, lease_s: float) -> bool:
    """Extend a held lease; False when it is no longer ours (taken over or finished)."""
    with transaction() as conn:
        cur = conn.execute(
            f"UPDATE jobs SET lease_expires_at = {_LEASE}"
            f" WHERE id = %(id)s AND lease_owner = %(owner)s"
            f" AND state IN ({sql_list(JobState.GENERATING, JobState.GRADING)})",
            {"id": job_id, "owner": lease_owner, "lease_s": lease_s},
        )
        return cur.rowcount == 1


def store_generation(claim: GenerationClaim, record: GenerationRecord) -> int | None:
    """Store the attempt's generation and mark the job generated; None if another attempt stored first.

    The first attempt to finish wins, even one whose lease expired while it worked (a worker cut
    off from the database, presumed dead and taken over): a finished generation is worth more
    than one still streaming, which then finds its lease gone and stops. Once the job is past
    `generating`, a late attempt is a duplicate and is dropped.
    """
    with transaction() as conn:
        moved = conn.execute(
            f"UPDATE jobs SET state = '{JobState.GENERATED}', lease_owner = NULL, lease_expires_at = NULL,"
            f"  updated_at = now() WHERE id = %s AND state = '{JobState.GENERATING}'",
            (claim.job_id,),
        ).rowcount
        if moved != 1:
            _close_attempt(
                conn, claim.attempt_id, AttemptState.ABANDONED, record.outcome, "another attempt stored first"
            )
            return None
        conn.execute(
            f"UPDATE attempts SET state = '{AttemptState.ABANDONED}', finished_at = now(),"
            "  error = coalesce(error, 'another attempt of the job stored its generation first')"
            f" WHERE job_id = %s AND state = '{AttemptState.RUNNING}' AND id <> %s",
            (claim.job_id, claim.attempt_id),
        )
        encoding, response_text, reasoning_text = stored_answers(record.response_text, record.reasoning_text)
        error = storable(record.error)
        inserted = conn.execute(
            "INSERT INTO generations (job_id, attempt_id, outcome, response_text, reasoning_text, finish_reason,"
            "  prompt_tokens, completion_tokens, prompt_tps, decode_tps, timings, first_token_s, wall_s,"
            "  server_info, error, quantsweep_version, answer_source, text_encoding, turn)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (attempt_id) DO NOTHING RETURNING id",
            (
                claim.job_id,
                claim.attempt_id,
                record.outcome,
                response_text,
                reasoning_text,
                storable(record.finish_reason),
                record.prompt_tokens,
                record.completion_tokens,
                record.prompt_tps,
                record.decode_tps,
                None if record.timings is None else Jsonb(storable(record.timings)),
                record.first_token_s,
                record.wall_s,
                Jsonb(storable(record.server_info)),
                error,
                QUANTSWEEP_VERSION,
                record.answer_source,
                encoding,
                claim.turn,
            ),
        ).fetchone()
        if inserted is None:
            inserted = conn.execute(
                "SELECT id FROM generations WHERE attempt_id = %s", (claim.attempt_id,)
            ).fetchone()
            assert inserted is not None
        conn.execute(  # finished, even if a takeover had marked it abandoned meanwhile
            "UPDATE attempts SET state = %s, outcome = %s, error = %s, finished_at = now() WHERE id = %s",
            (AttemptState.FINISHED, record.outcome, error, claim.attempt_id),
        )
        if record.outcome in (Outcome.OK, Outcome.TRUNCATED):
            # The server has just generated with the model, so it holds it: what `scheduler status`
            # shows under every dispatch mode (the affinity controller also reads llama-swap's /running).
            conn.execute(
                "UPDATE workers SET loaded_model = %s WHERE loaded_model IS DISTINCT FROM %s"
                "  AND name = (SELECT worker_name FROM attempts WHERE id = %s)",
                (claim.model, claim.model, claim.attempt_id),
            )
    return int(inserted["id"])


def store_grade(
    job_id: int,
    generation_id: int,
    grade: Any,
    *,
    lease_owner: str | None,
    grade_round: int = 1,
    worker_name: str | None = None,
    started_at: datetime | None = None,
    feedback: str | None = None,
) -> tuple[int, bool]:
    """Insert a grade once (ON CONFLICT) and finish the job; return (grade id, job finished now).

    With a `lease_owner` (the grade task) the job is marked done if it is still being graded,
    by this claim or by one that took over after this one's lease expired (the grade row is
    unique per generation and grader version, so whichever stores first decides the verdict),
    and only for the job's newest generation. Without one (a regrade) a finished job's verdict
    follows the newest grade of its newest generation (a regrade of an earlier repair turn leaves
    it alone), and a job still waiting for its grade (`generated`, no live claim) at its last
    turn is finished by it, so nothing waits for a grade that already exists (with turns left, only
    the grade task writes the feedback that moves it on).

    A grade stored with `feedback` (a repair turn's message, written only when the job has turns
    left) moves the job on to its next turn instead of finishing it (`turns.next_turn`): finished
    is then False and the job is `queued` for its model's queue.
    """
    with transaction() as conn:
        row = conn.execute(
            "INSERT INTO grades (generation_id, grader_version, round, score, max_score, verdict, compiled,"
            "  checks, log, duration_s, worker_name, started_at, quantsweep_version, feedback)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (generation_id, grader_version, round) DO NOTHING RETURNING id, verdict",
            (
                generation_id,
                grade.grader_version,
                grade_round,
                grade.score,
                grade.max_score,
                str(grade.verdict),
                grade.compiled,
                Jsonb(storable([_check_json(c) for c in grade.checks])),
                storable(grade.log or "")[:65536],
                grade.duration_s,
                worker_name,
                started_at,
                QUANTSWEEP_VERSION,
                storable(feedback),
            ),
        ).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT id, verdict FROM grades WHERE generation_id = %s AND grader_version = %s AND round = %s",
                (generation_id, grade.grader_version, grade_round),
            ).fetchone()
            assert row is not None
        newest = turns.NEWEST_GENERATION
        args = {"verdict": row["verdict"], "id": job_id, "gen": generation_id}
        if lease_owner is None:
            conn.execute(
                "UPDATE jobs SET verdict = %(verdict)s, updated_at = now()"
                f" WHERE id = %(id)s AND state = '{JobState.DONE}' AND {newest}",
                args,
            )
            finished = conn.execute(
                f"UPDATE jobs SET state = '{JobState.DONE}', verdict = %(verdict)s, finished_at = now(),"
                f" updated_at = now() WHERE id = %(id)s AND state = '{JobState.GENERATED}' AND lease_owner IS NULL"
                f" AND turn >= COALESCE((params->>'turns')::int, 1) AND {newest}",
                args,
            ).rowcount
            return int(row["id"]), finished == 1
        if feedback is not None and turns.next_turn(conn, job_id, generation_id):
            return int(row["id"]), False
        finished = conn.execute(
            f"UPDATE jobs SET state = '{JobState.DONE}', verdict = %(verdict)s, lease_owner = NULL,"
            "  lease_expires_at = NULL, finished_at = now(), updated_at = now()"
            f" WHERE id = %(id)s AND state = '{JobState.GRADING}' AND {newest}",
            args,
        ).rowcount
    return int(row["id"]), finished == 1


def release_generation(claim: GenerationClaim, error: str) -> None:
    """Give a claimed job back (an unexpected failure): the attempt is abandoned, the job queued."""
    with transaction() as conn:
        _close_attempt(conn, claim.attempt_id, AttemptState.ABANDONED, None, error[:2000])
        conn.execute(
            f"UPDATE jobs SET state = '{JobState.QUEUED}', lease_owner = NULL, lease_expires_at = NULL,"
            f"  updated_at = now() WHERE id = %s AND state = '{JobState.GENERATING}' AND lease_owner = %s",
            (claim.job_id, claim.lease_owner),
        )


def release_grading(claim: GradingClaim) -> None:
    """Give a claimed grading back: the job returns to generated."""
    with transaction() as conn:
        conn.execute(
            f"UPDATE jobs SET state = '{JobState.GENERATED}', lease_owner = NULL, lease_expires_at = NULL,"
            f"  updated_at = now() WHERE id = %s AND state = '{JobState.GRADING}' AND lease_owner = %s",
            (claim.job_id, claim.lease_owner),
        )


def load_generation(generation_id: int) -> StoredGeneration | None:
    """A stored generation by id (for regrading)."""
    with transaction() as conn:
        row = conn.execute("SELECT job_id FROM generations WHERE id = %s", (generation_id,)).fetchone()
        if row is None:
            return None
        return _load_generation(conn, row["job_id"], generation_id)


def latest_generation(job_id: int) -> StoredGeneration | None:
    """A job's newest generation (for regrading)."""
    with transaction() as conn:
        return _load_generation(conn, job_id, None)


def job_model(job_id: int) -> str | None:
    """The model a job is for; None when there is no such job."""
    with transaction() as conn:
        row = conn.execute("SELECT model FROM jobs WHERE id = %s", (job_id,)).fetchone()
    return None if row is None else str(row["model"])


def _load_generation(conn: Any, job_id: int, generation_id: int | None) -> StoredGeneration | None:
    query = (
        "SELECT g.id, g.job_id, j.exam, g.outcome, g.response_text, g.finish_reason, g.error,"
        " g.reasoning_text, g.answer_source, g.text_encoding,"
        " COALESCE(j.params->>'prompt_style', 'chat') AS prompt_style,"
        " g.turn, COALESCE((j.params->>'turns')::int, 1) AS turns"
        " FROM generations g JOIN jobs j ON j.id = g.job_id WHERE g.job_id = %s"
    )
    if generation_id is None:
        row = conn.execute(query + " ORDER BY g.id DESC LIMIT 1", (job_id,)).fetchone()
    else:
        row = conn.execute(query + " AND g.id = %s", (job_id, generation_id)).fetchone()
    return (
        None if row is None else StoredGeneration(**{**answer_texts(row), "outcome": Outcome(row["outcome"])})
    )


def _refusal(conn: Any, job_id: int, *, grading: bool) -> Refused:
    row = conn.execute(
        "SELECT state, greatest(0, extract(epoch FROM lease_expires_at - now()))::float AS left_s,"
        "  EXISTS (SELECT 1 FROM model_pauses p WHERE p.model = jobs.model AND p.resumed_at IS NULL) AS paused"
        " FROM jobs WHERE id = %s",
        (job_id,),
    ).fetchone()
    if row is None:
        return Refused(Refusal.MISSING)
    state = row["state"]
    busy = JobState.GRADING if grading else JobState.GENERATING
    claimable = state in (JobState.PENDING, JobState.QUEUED) or (state == busy and not row["left_s"])
    if not grading and row["paused"] and claimable:
        return Refused(Refusal.PAUSED, state)
    if state == busy:
        return Refused(Refusal.LEASED, state, float(row["left_s"] or 0.0))
    if state == JobState.GENERATED and not grading:
        return Refused(Refusal.GENERATED, state)
    if grading and state in (JobState.PENDING, JobState.QUEUED, JobState.GENERATING):
        return Refused(Refusal.NOT_READY, state)
    return Refused(Refusal.FINISHED, state)


def _close_attempt(
    conn: Any, attempt_id: int, state: AttemptState, outcome: Outcome | None, error: str | None
) -> None:
    conn.execute(
        "UPDATE attempts SET state = %s, outcome = %s, error = %s, finished_at = now()"
        f" WHERE id = %s AND state = '{AttemptState.RUNNING}'",
        (state, outcome, storable(error), attempt_id),
    )


def _check_json(check: Any) -> dict[str, Any]:
    return {
        "name": check.name,
        "passed": check.passed,
        "points": check.points,
        "max_points": check.max_points,
        "detail": check.detail,
    }
