"""Expanding a sweep into jobs: model x exam x seed, each with its generation params and their hash.

The exams of the jobs are the sweep's entries expanded (scheduler.exam_index.expand_exams): an exam
of items such as go-tasks gives one job per item, so a job is always one prompt and one grade.

A job's identity is (sweep, model, exam, seed, params_hash). The hash covers everything that changes
what the model is asked or how it samples (temperature, context, max_tokens, the model's generation
options, the prompt style and the exam prompt's text), so changing any of them makes new jobs
instead of mixing results. The prompt style is the one the job is asked in (`completion` only for a
model whose catalog entry says so and an exam that declares a file start); a chat job's hash leaves
it out, so it is the hash chat jobs had before prompt styles existed. The timeout is kept in the params but left out of the hash: it limits a run, it does not
change what a run produces.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exams.registry import ExamPrompt
from exams.types import PromptStyle
from scheduler.catalog import Model, Sweep

HASHED_PARAMS = ("temperature", "context", "max_tokens", "options", "prompt_sha256", "prompt_style")


@dataclass(frozen=True)
class JobSpec:
    """One job of a sweep before it is written to Postgres."""

    sweep: str
    model: str
    exam: str
    seed: int
    params: Mapping[str, Any]
    params_hash: str

    def to_json(self) -> dict[str, Any]:
        """The `submit --dry-run --json` form of the job."""
        return {
            "sweep": self.sweep,
            "model": self.model,
            "exam": self.exam,
            "seed": self.seed,
            "params_hash": self.params_hash,
            "params": dict(self.params),
        }


def params_hash(params: Mapping[str, Any]) -> str:
    """A short stable hash of the identity-bearing generation params."""
    identity = {key: params.get(key) for key in HASHED_PARAMS}
    if identity["prompt_style"] in (None, PromptStyle.CHAT):
        del identity["prompt_style"]
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def expand(
    sweep: Sweep,
    catalog: Mapping[str, Model],
    prompt_of: Callable[[str, PromptStyle], ExamPrompt],
    exams: Sequence[str] | None = None,
) -> list[JobSpec]:
    """Every job of `sweep` over `exams` (default: its entries as they are), model-major."""
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
            digest = params_hash(params)
            for seed in sweep.seeds:
                jobs.append(JobSpec(sweep.name, model_id, exam, seed, params, digest))
    return jobs
