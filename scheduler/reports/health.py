"""The exam's own health, from a sweep: which tasks tell the models apart, how stable the ranking is,
and what a decision costs.

- Per task, its discrimination: the standard deviation over the sweep's models of their pass rates
  on it (points share), and whether it is dead: every model passed every run, or failed every run.
- Split-half rank stability: the Spearman correlation (scipy.stats.spearmanr) between the models'
  mean scores on two random halves of the tasks, over SPLITS random splits: its median and 5th-95th
  percentiles (the split-half method of classical test theory; Lord & Novick 1968, "Statistical
  Theories of Mental Test Scores", chapter 9, applied to the ranking of models).
- The noise floor: the smallest true difference the sweep's seeds detect with 80% power at a
  two-sided 5% level, from the median standard deviation of one seed's paired difference over the
  sweep's pairs (Chow, Shao & Wang, "Sample Size Calculations in Clinical Research", 2nd ed.,
  section 3.2.1).
- The cost of a decision: the shared seeds, generations and GPU seconds needed to separate two
  models DECISION_POINTS (percentage points of full marks) apart with that power.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scheduler.reports.tables import DASH, Table, exam_title
from scheduler.stats.comparisons import compare
from scheduler.stats.intervals import OTHER, task_means
from scheduler.stats.summary import ModelExamStats

SPLITS = 200
DECISION_POINTS = (5, 10)  # percentage points of full marks
POWER = 0.8
ALPHA = 0.05


@dataclass(frozen=True)
class Cost:
    """What resolving a difference costs on one exam."""

    noise_floor: float  # points: the smallest difference resolved at the sweep's seeds
    seeds: dict[int, int]  # decision points -> shared seeds
    generations: dict[int, int]  # decision points -> generations for two models
    gpu_seconds: dict[int, float | None]  # decision points -> GPU seconds (None without timings)


def _z() -> float:
    return float(stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER))


def cost_of_decision(
    sd_one_seed: float,
    full_marks: float,
    seeds: int,
    jobs_per_seed: int,
    seconds_per_seed: float | None = None,
) -> Cost:
    """The noise floor at `seeds` and the cost of separating two models by each of DECISION_POINTS;
    `sd_one_seed` is the standard deviation of one seed's paired difference (points), a seed of one
    model is `jobs_per_seed` generations taking `seconds_per_seed` GPU seconds in all."""
    z = _z()
    floor = z * sd_one_seed / math.sqrt(max(seeds, 1))
    needed = {d: max(2, math.ceil((z * sd_one_seed / (d / 100 * full_marks)) ** 2)) for d in DECISION_POINTS}
    generations = {d: 2 * n * jobs_per_seed for d, n in needed.items()}
    gpu = {d: None if seconds_per_seed is None else 2 * n * seconds_per_seed for d, n in needed.items()}
    return Cost(floor, needed, generations, gpu)


def split_half(
    table: NDArray[np.float64], splits: int = SPLITS, rng: np.random.Generator | None = None
) -> tuple[float, float, float]:
    """(median, 5th, 95th percentile) of the Spearman correlation between the models' totals on two
    random halves of the tasks; `table` is models x tasks (mean points). NaN with under 3 models or
    4 tasks, or when a half ranks every model the same."""
    models, tasks = table.shape
    if models < 3 or tasks < 4:
        return math.nan, math.nan, math.nan
    rng = rng or np.random.default_rng(0)
    rhos = []
    for _ in range(splits):
        order = rng.permutation(tasks)
        first, second = table[:, order[: tasks // 2]].sum(axis=1), table[:, order[tasks // 2 :]].sum(axis=1)
        with warnings.catch_warnings():  # a half that ranks every model the same: NaN, skipped
            warnings.simplefilter("ignore", stats.ConstantInputWarning)
            rho = stats.spearmanr(first, second).statistic
        if not math.isnan(rho):
            rhos.append(float(rho))
    if not rhos:
        return math.nan, math.nan, math.nan
    low, median, high = np.quantile(rhos, [0.05, 0.5, 0.95])
    return float(median), float(low), float(high)


@dataclass(frozen=True)
class TaskHealth:
    """One task over the sweep's models."""

    task: str
    rates: dict[str, float]  # model -> mean share of the task's points
    discrimination: float  # sd of the rates over the models
    dead: str | None  # "every model passes" / "every model fails", or None


def task_health(rates: dict[str, dict[str, float]]) -> list[TaskHealth]:
    """Per task (`rates[task][model]`: the model's mean share of the task's points over its runs),
    most discriminating first."""
    out = []
    for task, by_model in rates.items():
        values = np.array(list(by_model.values()))
        dead = None
        if values.size and np.all(values >= 1.0):
            dead = "every model passes"
        elif values.size and np.all(values <= 0.0):
            dead = "every model fails"
        spread = float(values.std(ddof=1)) if values.size > 1 else 0.0
        out.append(TaskHealth(task, dict(by_model), spread, dead))
    return sorted(out, key=lambda t: (-t.discrimination, t.task))


def health_tables(stats: Sequence[ModelExamStats], margin: float) -> list[Table]:
    """Per exam with at least two scored models: a summary (split-half stability, noise floor, cost
    of a decision) and its tasks' (checks') discrimination, most discriminating first."""
    tables = []
    for exam in sorted({s.exam for s in stats}):
        models = [s for s in stats if s.exam == exam and s.runs and s.marks]
        if len(models) < 2:
            continue
        names = sorted(
            {n for s in models for n in s.marks} - {OTHER}
        )  # points no check accounts for: no task
        marks = {n: max(s.marks.get(n, 0.0) for s in models) for n in names}
        table = np.array([task_means(s.runs, marks) / np.array([marks[n] for n in names]) for s in models])
        judged = ~np.isnan(table).any(axis=0)  # a task some model never judged (infra every seed): out
        jobs = len(names) if all(s.items for s in models) else 1
        names, table = [n for n, j in zip(names, judged, strict=True) if j], table[:, judged]
        tasks = task_health(
            {n: {s.label: float(table[i, j]) for i, s in enumerate(models)} for j, n in enumerate(names)}
        )
        median, low, high = split_half(table * np.array([marks[n] for n in names]))
        sds = [compare(a.runs, b.runs, marks, margin=margin).sd_one_seed for a, b in combinations(models, 2)]
        known = [x for x in sds if x is not None]
        seeds = int(np.median([s.scores.n for s in models]))
        walls = [s.wall_s for s in models if s.wall_s is not None]
        full = max(float(sum(s.marks.values())) for s in models)  # full marks, whatever the checks are named
        rows = [
            ["Models, median seeds", f"{len(models)}, {seeds}"],
            [
                "Split-half rank stability (Spearman, median and 5-95%)",
                DASH if math.isnan(median) else f"{median:.2f} ({low:.2f} to {high:.2f})",
            ],
            ["Dead tasks (checks)", f"{sum(t.dead is not None for t in tasks)} of {len(tasks)}"],
        ]
        notes = [
            (
                "Split-half: the models ranked on two random halves of the tasks (checks), 200 splits. Noise floor: "
                "the smallest difference the sweep's seeds detect with 80% power at 5%, from the median spread of a "
                "seed's paired difference over all pairs of models. Cost: shared seeds, generations (two models) and "
                "GPU seconds to separate two models by 5 and 10 points of 100. See scheduler/reports/health.py."
            )
        ]
        if known:
            cost = cost_of_decision(
                float(np.median(known)), full, seeds, jobs, float(np.mean(walls)) if walls else None
            )
            rows.append(["Noise floor at the sweep's seeds", f"{cost.noise_floor:.1f} of {full:g} points"])
            for d in DECISION_POINTS:
                gpu = cost.gpu_seconds[d]
                rows.append(
                    [
                        f"To separate two models by {d} points of 100",
                        f"{cost.seeds[d]} seeds, {cost.generations[d]} generations"
                        + ("" if gpu is None else f", {gpu / 3600:.2f} GPU hours"),
                    ]
                )
        tables.append(
            Table(
                f"health-{exam}", f"{exam_title(exam)}: the exam's health", ["Measure", "Value"], rows, notes
            )
        )
        tables.append(
            Table(
                f"health-tasks-{exam}",
                f"{exam_title(exam)}: discrimination per task (check)",
                ["Task", "Discrimination (sd of pass rates)", "Pass rate range", "Dead"],
                [
                    [
                        t.task,
                        f"{t.discrimination:.2f}",
                        f"{min(t.rates.values()):.0%} to {max(t.rates.values()):.0%}",
                        t.dead or "",
                    ]
                    for t in tasks
                ],
            )
        )
    return tables
