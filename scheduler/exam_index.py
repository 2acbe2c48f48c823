"""What the control plane needs to know of the exams: their names and prompt texts."""

from __future__ import annotations

from exams.registry import get_exam, list_exams


def known_exams() -> list[str]:
    """The registered exam names, e.g. ['v1', 'v2']."""
    return list_exams()


def prompt_text(exam: str) -> str:
    """The prompt a model is given for `exam` (part of a job's identity through its hash)."""
    return get_exam(exam).prompt()
