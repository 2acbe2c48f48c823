"""What the repair-turn tests share: a two-turn job's params, recorded answers of a task, and a
sweep of recorded two-turn conversations of two quants stored through the job lifecycle."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

import exams
from exams.feedback import FEEDBACK_FORMAT
from scheduler.db import lifecycle
from scheduler.db.catalog import upsert_models
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord, Refused
from scheduler.db.vocabulary import Outcome
from scheduler.sweeps.catalog import Model
from testkit.workers import insert_jobs
from worker.grading import grade_generation
from worker.turns import repair_feedback

EXAM = "go-tasks/reverse"
TWO_TURN_PARAMS: dict[str, Any] = {
    "temperature": 1.0,
    "context": 16384,
    "max_tokens": 16384,
    "timeout_s": 60,
    "options": {},
    "turns": 2,
    "feedback": FEEDBACK_FORMAT,
}


def recorded_answer(case: str, exam: str = EXAM) -> str:
    """A whole raw answer recorded for `exam`: its qualification case `case` (reference, known-bad)."""
    return {c.name: c for c in exams.get_exam(exam).qualification_cases()}[case].response_text


# model -> seed -> the answer of each turn (qualification cases of the task): Q8 fixes what it got
# wrong on turn 2; Q4 fixes one seed and regresses on another.
RECORDED = {
    "fam-q8": {1: ["bytes", "reference"], 2: ["keeps_punctuation", "reference"], 3: ["reference"]},
    "fam-q4": {1: ["bytes", "reference"], 2: ["keeps_punctuation", "bytes"], 3: ["bytes", "bytes"]},
}


def take_turn(job_id: int, record: GenerationRecord) -> tuple[int, str]:
    """Claim, store `record` as the turn's generation, grade it as the grade task does; (turn, verdict)."""
    claim = lifecycle.claim_generation(job_id, "gpu@test", None, 60)
    assert isinstance(claim, GenerationClaim), claim
    assert lifecycle.store_generation(claim, record) is not None
    grading = lifecycle.claim_grading(job_id, "cpu@test", 60)
    assert not isinstance(grading, Refused)
    grade = grade_generation(grading.generation)
    feedback = repair_feedback(grading.generation, grade)
    lifecycle.store_grade(
        job_id, grading.generation.id, grade, lease_owner=grading.lease_owner, feedback=feedback
    )
    return claim.turn, str(grade.verdict)


def run_conversation(job_id: int, answers: list[str]) -> None:
    """Each turn claimed, generated (the recorded answer), graded and stored, as the workers do."""
    for number, case in enumerate(answers, 1):
        text = recorded_answer(case)
        record = GenerationRecord(
            Outcome.OK, response_text=text, finish_reason="stop", completion_tokens=len(text) // 4, wall_s=2.0
        )
        turn, _ = take_turn(job_id, record)
        assert turn == number
    assert isinstance(lifecycle.claim_generation(job_id, "gpu@test", None, 60), Refused)  # nothing left


def store_recorded_turns(database_url: str, sweep: str = "test") -> str:
    """The RECORDED conversations as sweep `sweep` (jobs of two quants of family `fam`); its name."""
    for model, seeds in RECORDED.items():
        job_ids = insert_jobs(database_url, model, [EXAM], list(seeds), TWO_TURN_PARAMS, sweep)
        for job_id, answers in zip(job_ids, seeds.values(), strict=True):
            run_conversation(job_id, answers)
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        upsert_models(
            conn,
            [Model(m, f"Fam {m[-2:].upper()}", "fam", m[-2:].upper(), None) for m in RECORDED],
        )
    return sweep
