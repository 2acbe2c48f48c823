"""From a stored generation to a Grade: the exam's grader for answers, an infra verdict otherwise.

A generation that timed out or met a server error is never shown to a grader: its grade carries
the infra verdict (`gen_timeout`, `server_error`) with score 0 and the exam's maximum, so reports
count it apart from the model's answers. A truncated generation goes to the grader with
`finish_reason=length`, which says `truncated` when the cut spoiled the code. The text graded is
the generation's `answer_text`: its content, or its reasoning where `answer_source=reasoning`; for a
completion-style job, the exam's file start followed by that text.
"""

from __future__ import annotations

import exams
from exams.registry import ExamPrompt
from exams.types import Grade, PromptStyle, Verdict
from scheduler.db.lifecycle import StoredGeneration
from scheduler.db.vocabulary import AnswerSource, Outcome

REASONING_NOTE = (
    "graded the reasoning_content: the server sent no content with reasoning off (answer_source=reasoning)"
)
INFRA_OUTCOMES = {Outcome.GEN_TIMEOUT: Verdict.GEN_TIMEOUT, Outcome.SERVER_ERROR: Verdict.SERVER_ERROR}


def exam_prompt(exam: str, style: PromptStyle | str = PromptStyle.CHAT) -> ExamPrompt:
    """The exact prompt (and stop strings) sent to the model for `exam` in the job's prompt style."""
    return exams.registry.exam_prompt(exam, style)


def grade_generation(generation: StoredGeneration) -> Grade:
    """Grade one stored generation with the current grader."""
    infra = INFRA_OUTCOMES.get(generation.outcome)
    if infra is not None:
        return infra_grade(generation.exam, infra, generation.error or generation.outcome)
    grade = exams.grade(
        generation.exam,
        generation.answer_text,
        finish_reason=generation.finish_reason,
        prompt_style=generation.prompt_style,
    )
    if generation.answer_source == AnswerSource.REASONING:
        grade.log = f"{REASONING_NOTE}\n{grade.log}"
    elif not generation.answer_text.strip() and generation.reasoning_text.strip():
        note = f"the content was empty; the server sent {len(generation.reasoning_text)} characters of reasoning only"
        grade.log = f"{note} (not graded: reasoning is on for this model)\n{grade.log}"
    return grade


def infra_grade(exam: str, verdict: Verdict, detail: str) -> Grade:
    """A grade that records an infrastructure outcome: score 0 of the exam's maximum."""
    spec = exams.get_exam(exam)
    return Grade(
        exam=exam,
        score=0,
        max_score=spec.max_score,
        compiled=False,
        verdict=verdict,
        checks=[],
        grader_version=spec.grader_version,
        duration_s=0.0,
        log=detail[:65536],
    )
