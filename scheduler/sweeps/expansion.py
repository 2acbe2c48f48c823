"""Expanding a sweep into jobs: model x exam x seed, each with its generation params and their hash.

The exams of the jobs are the sweep's entries expanded (scheduler.sweeps.exam_index.expand_exams): an exam
of items such as go-tasks gives one job per item, so a job is always one prompt and one grade.

A job's identity and its params hash: `scheduler.results.jobs`.

A sweep with `turns: N` above 1 gives each job a conversation of at most N turns (exams.feedback):
its params hold `turns` and `feedback` (the feedback layout, `exams.feedback.FEEDBACK_FORMAT`), both
hashed, so changing either makes new jobs; a one-turn job's params and hash leave both out, as
before turns existed. An exam whose manifest allows fewer turns is refused with one line saying
what to change. A completion-style job's later turns fold the conversation into comments above
the file start (worker/turns.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

from exams.feedback import FEEDBACK_FORMAT, allowed_turns
from exams.registry import ExamPrompt
from exams.types import PromptStyle
from scheduler.core.errors import SweepFileError
from scheduler.results.jobs import JobSpec, params_hash
from scheduler.sweeps.catalog import Model, Sweep


def expand(
    sweep: Sweep,
    catalog: Mapping[str, Model],
    prompt_of: Callable[[str, PromptStyle], ExamPrompt],
    exams: Sequence[str] | None = None,
    turns_of: Callable[[str], int] = allowed_turns,
) -> list[JobSpec]:
    """Every job of `sweep` over `exams` (default: its entries as they are), model-major.
    `turns_of(exam)` is the most turns the exam allows (its manifest's `turns`).
    Raises SweepFileError when the sweep's `turns` is more than an exam or a model allows."""
    exams = list(sweep.exams if exams is None else exams)
    jobs = []
    for model_id in sweep.models:
        options = dict(catalog[model_id].options)
        for exam in exams:
            prompt = prompt_of(exam, catalog[model_id].prompt_style)
            params = {
                "temperature": sweep.generation.temperature,
                "context": sweep.generation.context,
                "max_tokens": sweep.generation.max_tokens,
                "timeout_s": sweep.generation.timeout_s,
                "options": options,
                "prompt_sha256": hashlib.sha256(prompt.text.encode()).hexdigest(),
                "prompt_style": prompt.style.value,
            }
            if sweep.turns > 1:
                _check_turns(sweep, exam, turns_of(exam))
                params |= {"turns": sweep.turns, "feedback": FEEDBACK_FORMAT}
            digest = params_hash(params)
            for seed in sweep.seeds:
                jobs.append(JobSpec(sweep.name, model_id, exam, seed, params, digest))
    return jobs


def _check_turns(sweep: Sweep, exam: str, allowed: int) -> None:
    where = f"sweep file {sweep.path.name}"
    if sweep.turns > allowed:
        raise SweepFileError(
            f"{where}: turns is {sweep.turns} but exam {exam} allows {allowed} (its exam.toml `turns`);"
            " lower turns or move the exam to a sweep of its own"
        )
