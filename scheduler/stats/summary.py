"""Per model and exam numbers: the figures every table and plot of a report is drawn from."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from scheduler.db.vocabulary import MODEL_VERDICTS, Verdict
from scheduler.results.runs import ALL_VERDICTS, NOT_GRADED, GradeChoice, Run, SweepRuns
from scheduler.stats.intervals import Pool, RunPoints, Summary, pool_of_models, runs_from_grades, summarize


@dataclass
class ModelExamStats:
    """One model on one exam: scores over seeds, outcomes, compile rates and speed."""

    model: str
    label: str
    family: str
    quant: str | None
    size_gb: float | None
    exam: str
    n_jobs: int
    scores: Summary  # over runs with a model verdict (infra and grader outcomes left out)
    scores_by_seed: dict[int, float]
    mean_all_runs: float | None  # every graded run counted as scored (the article's convention)
    n_graded: int
    n_compiled: int
    n_graded_not_truncated: int
    n_compiled_not_truncated: int
    n_model_verdicts: int
    n_compiled_model_verdicts: int
    verdicts: dict[str, int]
    short_max: int  # grades whose max is below the exam's (the grader skipped checks)
    decode_tps: float | None
    prompt_tps: float | None
    completion_tokens: float | None
    wall_s: float | None
    checks: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (passed, runs), compiled runs
    from_reasoning: int = 0  # runs whose graded answer was the server's reasoning_content
    draft_tokens: tuple[int, int] | None = None  # (accepted, drafted) over runs with a draft model
    runs: list[RunPoints] = field(default_factory=list)  # runs with a model verdict, points per check
    marks: dict[str, float] = field(default_factory=dict)  # check -> max points
    items: bool = False  # an exam of items (go-tasks): its checks are tasks
    item_counts: tuple[int, int] | None = None  # an exam of items: (judged, in all) over the judged seeds
    infra_items: list[str] = field(default_factory=list)  # `seed S item: verdict`, left out of a seed

    def to_json(self) -> dict[str, Any]:
        """Plain numbers for the JSON report."""
        return {
            "model": self.model,
            "label": self.label,
            "family": self.family,
            "quant": self.quant,
            "size_gb": self.size_gb,
            "exam": self.exam,
            "n_jobs": self.n_jobs,
            "n": self.scores.n,
            "mean": self.scores.mean,
            "min": self.scores.minimum,
            "max": self.scores.maximum,
            "stdev": self.scores.stdev,
            "ci95_low": self.scores.ci_low,
            "ci95_high": self.scores.ci_high,
            "items_ci95_low": self.scores.items_low,
            "items_ci95_high": self.scores.items_high,
            "scores_by_seed": {str(k): v for k, v in sorted(self.scores_by_seed.items())},
            "mean_all_runs": self.mean_all_runs,
            "n_graded": self.n_graded,
            "n_compiled": self.n_compiled,
            "n_graded_not_truncated": self.n_graded_not_truncated,
            "n_compiled_not_truncated": self.n_compiled_not_truncated,
            "verdicts": self.verdicts,
            "short_max": self.short_max,
            "decode_tps": self.decode_tps,
            "prompt_tps": self.prompt_tps,
            "completion_tokens": self.completion_tokens,
            "wall_s": self.wall_s,
            "checks": {k: {"passed": p, "runs": n} for k, (p, n) in self.checks.items()},
            "from_reasoning": self.from_reasoning,
            "draft_accepted": None if self.draft_tokens is None else self.draft_tokens[0],
            "draft_n": None if self.draft_tokens is None else self.draft_tokens[1],
            "items_judged": None if self.item_counts is None else self.item_counts[0],
            "items": None if self.item_counts is None else self.item_counts[1],
            "infra_items": self.infra_items,
        }


def mean_of(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are present, None when there are none."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def exam_max_scores(runs: Iterable[Run], choice: GradeChoice) -> dict[str, float]:
    """The full marks of each exam: the highest max_score any of its grades has."""
    maxima: dict[str, float] = {}
    for run in runs:
        grade = run.grade(choice)
        if grade is not None:
            maxima[run.exam] = max(maxima.get(run.exam, 0.0), grade.max_score)
    return maxima


def check_counts(runs: Iterable[Run], choice: GradeChoice) -> dict[str, tuple[int, int]]:
    """Per check name: (passed, present) over the compiled runs' grades."""
    passed: Counter[str] = Counter()
    present: Counter[str] = Counter()
    for run in runs:
        grade = run.grade(choice)
        if grade is None or not grade.compiled:
            continue
        for check in grade.checks:
            name = str(check.get("name"))
            present[name] += 1
            passed[name] += bool(check.get("passed"))
    return {name: (passed[name], present[name]) for name in present}


def scored_points(
    runs: list[Run], choice: GradeChoice, exam_max: float
) -> tuple[list[RunPoints], dict[str, float]]:
    """The runs with a model verdict as RunPoints, and the checks' max points; a seed of an exam of
    items with infra items left out is judged on its checks (`RunPoints.judged`)."""
    scored = [(r, g) for r in runs if (g := r.grade(choice)) is not None and g.verdict in MODEL_VERDICTS]
    points, marks = runs_from_grades([(r.seed, g.score, g.checks) for r, g in scored], exam_max)
    points = [
        replace(p, judged=frozenset(str(c.get("name")) for c in g.checks)) if g.infra_items else p
        for p, (_, g) in zip(points, scored, strict=True)
    ]
    return points, marks


def summarize_model_exam(
    runs: list[Run], choice: GradeChoice, exam_max: float, pool: Pool | None = None
) -> ModelExamStats:
    """The stats of one model's runs on one exam; `pool`: the exam's other models' runs."""
    first = runs[0]
    graded = [(r, g) for r in runs if (g := r.grade(choice)) is not None]
    scored = [(r, g) for r, g in graded if g.verdict in MODEL_VERDICTS]
    not_truncated = [
        (r, g) for r, g in graded if g.verdict != Verdict.TRUNCATED and r.finish_reason != "length"
    ]
    verdicts = Counter(v for r in runs if (v := r.verdict(choice)) is not None)
    verdicts[NOT_GRADED] = sum(1 for r in runs if r.verdict(choice) is None)
    generated = [r for r in runs if r.outcome is not None]
    points, marks = scored_points(runs, choice, exam_max)
    items = bool(first.extra.get("items"))
    item_grades = [g for _, g in scored if g.items is not None]
    return ModelExamStats(
        model=first.model,
        label=first.label,
        family=first.family,
        quant=first.quant,
        size_gb=first.size_gb,
        exam=first.exam,
        n_jobs=len(runs),
        scores=summarize(points, marks, pool=pool, items=items),
        scores_by_seed={r.seed: g.score for r, g in scored},
        mean_all_runs=mean_of(g.score for _, g in graded),
        n_graded=len(graded),
        n_compiled=sum(g.compiled for _, g in graded),
        n_graded_not_truncated=len(not_truncated),
        n_compiled_not_truncated=sum(g.compiled for _, g in not_truncated),
        n_model_verdicts=len(scored),
        n_compiled_model_verdicts=sum(g.compiled for _, g in scored),
        verdicts={v: verdicts[v] for v in (*ALL_VERDICTS, NOT_GRADED) if verdicts[v]},
        short_max=sum(1 for _, g in graded if g.max_score < exam_max),
        decode_tps=mean_of(r.decode_tps for r in generated),
        prompt_tps=mean_of(r.prompt_tps for r in generated),
        completion_tokens=mean_of(r.completion_tokens for r in generated),
        wall_s=mean_of(r.wall_s for r in generated),
        checks=check_counts(runs, choice),
        from_reasoning=sum(1 for r in generated if r.answer_source == "reasoning"),
        draft_tokens=draft_tokens(generated),
        runs=points,
        marks=marks,
        items=items,
        item_counts=(
            (sum(g.items_judged or 0 for g in item_grades), sum(g.items or 0 for g in item_grades))
            if item_grades
            else None
        ),
        infra_items=[f"seed {r.seed} {item}" for r, g in scored for item in g.infra_items],
    )


def draft_tokens(runs: Iterable[Run]) -> tuple[int, int] | None:
    """(accepted, drafted) draft tokens summed over the runs that drafted; None when none did."""
    drafted = [r for r in runs if r.draft_n]
    if not drafted:
        return None
    return sum(r.draft_n_accepted or 0 for r in drafted), sum(r.draft_n or 0 for r in drafted)


def summarize_sweep(sweep_runs: SweepRuns, choice: GradeChoice) -> list[ModelExamStats]:
    """Stats for every (model, exam) of the sweep, models in the sweep's order, exams sorted."""
    maxima = exam_max_scores(sweep_runs.runs, choice)
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in sweep_runs.runs:
        groups.setdefault((run.model, run.exam), []).append(run)
    order = {m: i for i, m in enumerate(sweep_runs.model_order)}
    keys = sorted(groups, key=lambda k: (k[1], order.get(k[0], len(order)), k[0]))
    scored = {k: scored_points(groups[k], choice, maxima.get(k[1], 0.0)) for k in keys}
    return [
        summarize_model_exam(
            groups[k],
            choice,
            maxima.get(k[1], 0.0),
            pool_of_models([scored[o][0] for o in keys if o[1] == k[1] and o != k], scored[k][1]),
        )
        for k in keys
    ]
