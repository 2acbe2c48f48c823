"""What a grade is: the types every exam's grader returns.

Exceptions (`ExamError`, `UnknownExamError`, `GraderFault`): drawn with every other in the one
error tree, scheduler/core/errors.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class PromptStyle(StrEnum):
    """How a model is asked (a catalog entry's `prompt_style`): a job's identity includes it."""

    CHAT = "chat"  # the prompt as a user turn of the model's chat template (/v1/chat/completions)
    COMPLETION = "completion"  # the start of the answer file, continued as plain text (/v1/completions)


class Verdict(StrEnum):
    """The one outcome of a graded job; infra and grader outcomes never count against a model."""

    OK = "ok"  # full marks
    TEST_FAIL = "test_fail"  # built, but lost points on at least one check
    COMPILE_FAIL = "compile_fail"  # code was extracted, nothing built (or built and passed no check, v2)
    EXTRACT_FAIL = "extract_fail"  # no usable code in the response
    TRUNCATED = "truncated"  # generation hit max_tokens (finish_reason=length): infra, not the model
    GEN_TIMEOUT = "gen_timeout"  # generation exceeded its wall-clock limit: infra
    SERVER_ERROR = "server_error"  # the model server failed after retries: infra
    GRADER_ERROR = "grader_error"  # the grader itself failed: never a score

    @property
    def is_model_outcome(self) -> bool:
        """True when the verdict judges the model's answer rather than the infrastructure."""
        return self in MODEL_VERDICTS


# In the enum's order (the reports' column order), defined once: everything else imports these.
MODEL_VERDICTS = (Verdict.OK, Verdict.TEST_FAIL, Verdict.COMPILE_FAIL, Verdict.EXTRACT_FAIL)
INFRA_VERDICTS = (Verdict.TRUNCATED, Verdict.GEN_TIMEOUT, Verdict.SERVER_ERROR, Verdict.GRADER_ERROR)


@dataclass(frozen=True)
class Check:
    """One scored check of a grade, e.g. `factorial.build` or `BufferBounded`."""

    name: str
    passed: bool
    points: float
    max_points: float
    detail: str = ""


@dataclass
class Grade:
    """The result of grading one response; `to_json()` is the `exams grade --json` contract."""

    exam: str
    score: float
    max_score: float
    compiled: bool
    verdict: Verdict
    checks: list[Check]
    grader_version: str
    duration_s: float
    log: str = ""  # capped grader log (build errors, harness output), stored, not printed by --json
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md `exams grade --json` object."""
        return {
            "exam": self.exam,
            "score": self.score,
            "max_score": self.max_score,
            "compiled": self.compiled,
            "verdict": self.verdict.value,
            "checks": [asdict(c) for c in self.checks],
            "grader_version": self.grader_version,
            "duration_s": round(self.duration_s, 3),
        }


class ExamError(Exception):
    """An operator's mistake about exams: printed as one line, non-zero exit."""


class UnknownExamError(ExamError):
    """The exam name is not registered."""


class GraderFault(RuntimeError):
    """The grader could not judge the program for a reason of ours; the message names the cause."""
