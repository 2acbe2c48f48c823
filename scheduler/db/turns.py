"""Repair turns in SQL: a job's conversation, moving a job on to its next turn, per-turn results.

A job whose params hold `turns` > 1 is one conversation (exams.feedback): turn 1 is the exam's
prompt; after a graded turn that did not pass everything, with turns left, the grade's `feedback`
is the user's next message and the job goes back to `queued` at the next turn:

    generated --claim_grading--> grading --store_grade with feedback--> queued (turn + 1)

Each turn is one generation on the model's queue and one grade on the CPU pool, claimed and stored
exactly as a one-turn job's (scheduler/db/lifecycle.py); `jobs.turn` says which turn is next, so
any worker can take it after a fault. A generation answers the turn that was current when it was
claimed (`generations.turn`); a turn's latest generation is its answer. An infrastructure outcome
ends the job with that verdict as for a one-turn job, its turn kept: submitting again retries that
turn, and nothing of it reaches the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler.db import transaction
from scheduler.db.text import answer_texts
from scheduler.db.vocabulary import AnswerSource, JobState


@dataclass(frozen=True)
class Exchange:
    """One past turn as the model sees it: its answer, then the feedback it was sent."""

    turn: int
    answer: str
    feedback: str


# A job condition: the generation `%(gen)s` is the job's newest.
NEWEST_GENERATION = "NOT EXISTS (SELECT 1 FROM generations n WHERE n.job_id = jobs.id AND n.id > %(gen)s)"


def next_turn(conn: Any, job_id: int, generation_id: int) -> bool:
    """Move a job being graded on to its next turn (`queued`, turn + 1, grading claims counted
    afresh) when it has turns left and `generation_id` is its newest generation; True if moved."""
    moved = conn.execute(
        f"UPDATE jobs SET state = '{JobState.QUEUED}', turn = turn + 1, grading_claims = 0,"
        "  lease_owner = NULL, lease_expires_at = NULL, enqueued_at = now(), updated_at = now()"
        f" WHERE id = %(id)s AND state = '{JobState.GRADING}'"
        "   AND turn < COALESCE((params->>'turns')::int, 1)"
        "   AND turn = (SELECT turn FROM generations WHERE id = %(gen)s)"
        f"   AND {NEWEST_GENERATION}",
        {"id": job_id, "gen": generation_id},
    ).rowcount
    return bool(moved == 1)


# The feedback the model was sent after generation `g`: written by the grade that moved the job on
# (a regrade writes none, so the conversation that happened stays as it was).
_SENT_FEEDBACK = (
    "SELECT feedback FROM grades WHERE generation_id = g.id AND feedback IS NOT NULL ORDER BY id DESC LIMIT 1"
)

_CONVERSATION_SQL = f"""
SELECT DISTINCT ON (g.turn) g.turn, g.response_text, g.reasoning_text, g.answer_source, g.text_encoding,
       r.feedback
FROM generations g
JOIN LATERAL ({_SENT_FEEDBACK}) r ON true
WHERE g.job_id = %s AND g.turn < %s
ORDER BY g.turn, g.id DESC
"""


def conversation(conn: Any, job_id: int, turn: int) -> list[Exchange]:
    """The turns before `turn` as the model is shown them: each turn's latest generation's answer
    (its content, or its reasoning where that was graded) and the feedback its grade wrote."""
    exchanges = []
    for row in conn.execute(_CONVERSATION_SQL, (job_id, turn)).fetchall():
        texts = answer_texts(row)
        answer = (
            texts["reasoning_text"]
            if texts["answer_source"] == AnswerSource.REASONING
            else texts["response_text"]
        )
        exchanges.append(Exchange(int(row["turn"]), answer, str(row["feedback"])))
    return exchanges


_TURNS_SQL = f"""
SELECT j.id AS job_id, j.model, m.label, m.family, m.quant, j.exam, j.seed, j.state,
       COALESCE((j.params->>'turns')::int, 1) AS turns,
       g.turn, g.id AS generation_id, g.outcome, g.finish_reason, g.completion_tokens, g.wall_s,
       g.response_text, g.reasoning_text, g.answer_source, g.text_encoding,
       r.verdict, r.score, r.max_score, r.checks, r.duration_s, r.grader_version,
       ({_SENT_FEEDBACK}) AS feedback
FROM jobs j
JOIN models m ON m.id = j.model
JOIN LATERAL (
    SELECT DISTINCT ON (turn) * FROM generations WHERE job_id = j.id ORDER BY turn, id DESC
) g ON true
LEFT JOIN LATERAL (
    SELECT * FROM grades WHERE generation_id = g.id AND NOT external ORDER BY id DESC LIMIT 1
) r ON true
WHERE j.sweep = %s
ORDER BY j.model, j.exam, j.seed, g.turn
"""


def turn_results(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """One row per (job, turn) of `sweep`: the job and model, the turn's latest generation (answer,
    outcome, tokens, seconds), that generation's newest grade of ours (verdict, score, checks,
    grader version: after a regrade, the current grader's) and the feedback the model was sent."""
    return [answer_texts(r) for r in conn.execute(_TURNS_SQL, (sweep,)).fetchall()]


def queued_turn(conn: Any, job_id: int) -> tuple[str, int] | None:
    """(model, turn) of a job that is `queued` at a turn above 1, else None: the grade task's cue to
    send the next turn's generate message."""
    row = conn.execute(
        f"SELECT model, turn FROM jobs WHERE id = %s AND state = '{JobState.QUEUED}' AND turn > 1", (job_id,)
    ).fetchone()
    return None if row is None else (str(row["model"]), int(row["turn"]))


def load_conversation(job_id: int, turn: int) -> list[Exchange]:
    """`conversation` in a transaction of its own (for the generate task)."""
    with transaction() as conn:
        return conversation(conn, job_id, turn)


def next_turn_to_send(job_id: int) -> tuple[str, int] | None:
    """`queued_turn` in a transaction of its own (for the grade task)."""
    with transaction() as conn:
        return queued_turn(conn, job_id)
