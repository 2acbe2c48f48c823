"""What the repair-turn tests share: a two-turn job's params and recorded answers of a task."""

from __future__ import annotations

from typing import Any

import exams
from exams.feedback import FEEDBACK_FORMAT

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
