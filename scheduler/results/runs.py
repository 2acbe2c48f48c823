"""Reading a sweep's results back from Postgres: one `Run` per job, with its grades.

A run is a job's latest generation (the latest finished attempt) and the grades of that generation:
ours (the newest grade we made) and the external one (the article's published score, if imported).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from exams.types import PromptStyle
from scheduler.core.errors import QuantsweepError
from scheduler.db.results import grades_of, latest_runs
from scheduler.db.sweeps import sweep_definition, sweep_names
from scheduler.db.vocabulary import Outcome, Verdict

ALL_VERDICTS = tuple(Verdict)  # in the reports' column order
NOT_GRADED = "pending"  # the reports' count of runs without a verdict yet


class GradeChoice(StrEnum):
    """Which grade of a run the report's tables use."""

    AUTO = "auto"  # ours when the run has one, else the external (article) grade
    OURS = "ours"  # only grades made by our graders
    EXTERNAL = "external"  # only imported grades (the article's own scores)


class UnknownReportSweep(QuantsweepError):
    """The database holds no sweep by that name."""


@dataclass(frozen=True)
class GradeRow:
    """One stored grade, as the report needs it."""

    grader_version: str
    score: float
    max_score: float
    verdict: str
    compiled: bool
    checks: list[dict[str, Any]]
    external: bool
    items: int | None = None  # an exam of items (go-tasks): how many items the whole-exam grade sums
    infra_items: tuple[str, ...] = ()  # ... and those left out with an infra verdict (`item: verdict`)

    @property
    def items_judged(self) -> int | None:
        """How many items the grade rests on (None for an exam that is not made of items)."""
        return None if self.items is None else self.items - len(self.infra_items)


@dataclass
class Run:
    """One job of a sweep with its latest generation and that generation's grades."""

    job_id: int
    model: str
    label: str
    family: str
    quant: str | None
    size_gb: float | None
    exam: str
    seed: int
    state: str
    job_verdict: str | None
    outcome: str | None = None  # generation outcome, None when nothing was generated yet
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tps: float | None = None
    decode_tps: float | None = None
    wall_s: float | None = None
    answer_source: str | None = None  # `content`, or `reasoning` when that is where the server put the answer
    draft_n: int | None = None  # speculative decoding: tokens drafted (llama-server `timings.draft_n`)
    draft_n_accepted: int | None = None  # ... and of those, accepted (`timings.draft_n_accepted`)
    ours: GradeRow | None = None
    external: GradeRow | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    prompt_style: str = PromptStyle.CHAT  # how the model was asked (the label says so when not chat)

    def grade(self, choice: GradeChoice) -> GradeRow | None:
        """The grade the report uses for this run under `choice`."""
        if choice is GradeChoice.OURS:
            return self.ours
        if choice is GradeChoice.EXTERNAL:
            return self.external
        return self.ours or self.external

    def verdict(self, choice: GradeChoice) -> str | None:
        """The run's one outcome: the grade's verdict, else an infra outcome, else the job's verdict."""
        grade = self.grade(choice)
        if grade is not None:
            return grade.verdict
        if self.outcome in (Outcome.TRUNCATED, Outcome.GEN_TIMEOUT, Outcome.SERVER_ERROR):
            return self.outcome
        return self.job_verdict


@dataclass(frozen=True)
class SweepRuns:
    """Every run of one sweep, with the model order the sweep file gives."""

    sweep: str
    model_order: tuple[str, ...]
    runs: list[Run]
    definition: dict[str, Any] = field(default_factory=dict)  # the sweep file as last submitted

    @property
    def margin(self) -> float | None:
        """The equivalence margin (points) the sweep file's `adaptive:` block sets, if any."""
        margin = (self.definition.get("adaptive") or {}).get("margin")
        return float(margin) if isinstance(margin, int | float) else None


def styled_label(label: str, prompt_style: str) -> str:
    """A model's label as reports show it: `Gemma 3 270M Q4_K_M (completion)` for a job asked as a
    completion, so a model's runs in two styles are never mixed in one row."""
    return label if prompt_style == PromptStyle.CHAT else f"{label} ({prompt_style})"


def load_runs(conn: Any, sweep: str) -> SweepRuns:
    """Every job of `sweep` as a Run; UnknownReportSweep if the sweep is not in the database."""
    definition = sweep_definition(conn, sweep)
    if definition is None:
        names = sweep_names(conn)
        raise UnknownReportSweep(
            f"no sweep named {sweep!r} in the database (present: {', '.join(names) or 'none'}); "
            "submit or import it first"
        )
    runs: list[Run] = []
    by_generation: dict[int, Run] = {}
    for r in latest_runs(conn, sweep):
        run = Run(
            job_id=r["job_id"],
            model=r["model"],
            label=styled_label(r["label"], r["prompt_style"]),
            prompt_style=r["prompt_style"],
            family=r["family"],
            quant=r["quant"],
            size_gb=r["size_gb"],
            exam=r["exam"],
            seed=r["seed"],
            state=r["state"],
            job_verdict=r["job_verdict"],
            outcome=r["outcome"],
            finish_reason=r["finish_reason"],
            prompt_tokens=r["prompt_tokens"],
            completion_tokens=r["completion_tokens"],
            prompt_tps=r["prompt_tps"],
            decode_tps=r["decode_tps"],
            wall_s=r["wall_s"],
            answer_source=r["answer_source"],
            draft_n=r["draft_n"],
            draft_n_accepted=r["draft_n_accepted"],
        )
        runs.append(run)
        if r["generation_id"] is not None:
            by_generation[r["generation_id"]] = run
    if by_generation:
        for g in grades_of(conn, list(by_generation)):
            grade = GradeRow(
                grader_version=g["grader_version"],
                score=g["score"],
                max_score=g["max_score"],
                verdict=g["verdict"],
                compiled=g["compiled"],
                checks=list(g["checks"] or []),
                external=g["external"],
            )
            run = by_generation[g["generation_id"]]
            # Ordered by id: the newest grade of each kind wins.
            if grade.external:
                run.external = grade
            else:
                run.ours = grade
    return SweepRuns(
        sweep=sweep, model_order=_model_order(definition, runs), runs=runs, definition=definition
    )


def _model_order(definition: dict[str, Any], runs: Sequence[Run]) -> tuple[str, ...]:
    listed = [m for m in definition.get("models", []) if isinstance(m, str)]
    seen = set(listed)
    extra = sorted({r.model for r in runs} - seen)
    return tuple(listed + extra)
