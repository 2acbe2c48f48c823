"""Repair turns in the worker: the conversation a turn is asked with, the feedback a grade writes,
and the message that starts the next turn.

    generate(job) at turn k  ->  prompt + (answer_i, feedback_i) for i < k   (conversation_of)
    grade(job) of turn k     ->  feedback when the job has turns left and the answer did not pass
                                 (repair_feedback); stored with the grade, it queues turn k + 1
                                 (scheduler/db/turns.py), and send_next_turn puts its generate
                                 message on the model's queue

Only an answer the grader judged (`compile_fail`, `test_fail`, `extract_fail`) from a generation
that ended normally gets feedback: an infrastructure verdict is never shown to the model, and a
truncated turn ends the conversation (it is reported as truncated, not repaired).
"""

from __future__ import annotations

import logging

from celery import current_app

import exams
from exams.feedback import feedback_message
from exams.registry import ExamPrompt
from exams.types import Grade, PromptStyle
from scheduler.core import messages
from scheduler.core.messages import BROKER_ERRORS
from scheduler.core.queues import generation_queue
from scheduler.db import DATABASE_ERRORS, turns
from scheduler.db.lifecycle import GenerationClaim, StoredGeneration
from scheduler.db.vocabulary import Outcome

log = logging.getLogger(__name__)


def conversation_of(claim: GenerationClaim) -> tuple[tuple[str, str], ...]:
    """The (answer, feedback) pairs of the turns before the claimed one; empty for turn 1."""
    if claim.turn <= 1:
        return ()
    exchanges = turns.load_conversation(claim.job_id, claim.turn)
    if [e.turn for e in exchanges] != list(range(1, claim.turn)):
        raise RuntimeError(
            f"job {claim.job_id}: turn {claim.turn} but the stored turns are {[e.turn for e in exchanges]}"
        )
    return tuple((e.answer, e.feedback) for e in exchanges)


def repair_feedback(generation: StoredGeneration, grade: Grade) -> str | None:
    """The feedback for the next turn, or None when the conversation ends with this grade: no turns
    left, everything passed, an infrastructure verdict, or a generation that did not end normally."""
    if generation.turn >= generation.turns or generation.outcome != Outcome.OK:
        return None
    return feedback_message(grade, exams.get_exam(generation.exam).expected_files, generation.prompt_style)


def turn_prompt(
    prompt: ExamPrompt, history: tuple[tuple[str, str], ...]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(prompt text, chat history) of a turn: a chat turn sends the history as messages; a
    completion-style turn folds it into the text (`completion_prompt`) and sends none."""
    if prompt.style is PromptStyle.COMPLETION and history:
        return completion_prompt(prompt.text, history), ()
    return prompt.text, history


def completion_prompt(file_start: str, history: tuple[tuple[str, str], ...]) -> str:
    """A completion-style turn's prompt: each earlier answer and the feedback it got as `//` comments,
    then the file start again (a base model has no conversation; it continues a file)."""
    lines: list[str] = []
    for number, (answer, feedback) in enumerate(history, 1):
        lines.append(f"Attempt {number} continued this file with:")
        lines += answer.rstrip().splitlines()
        lines.append(f"It was graded; feedback on attempt {number}:")
        lines += feedback.rstrip().splitlines()
    lines.append("Write the file again below, fixing what the feedback says.")
    header = "".join(f"// {line}".rstrip() + "\n" for line in lines)
    return header + file_start


def send_next_turn(job_id: int) -> bool:
    """Send the generate message of a job queued at its next turn; False when it could not be sent
    (the database or Redis away): the reconciler sends it for a queued job with none in flight."""
    try:
        queued = turns.next_turn_to_send(job_id)
        if queued is None:
            return False
        model, turn = queued
        messages.send_generate(current_app, job_id, generation_queue(model))
    except (*DATABASE_ERRORS, *BROKER_ERRORS) as exc:
        log.warning(
            "job %s: next turn's generate message not sent (%s); the reconciler will send it", job_id, exc
        )
        return False
    log.info("job %s: turn %s queued on %s", job_id, turn, generation_queue(model))
    return True
