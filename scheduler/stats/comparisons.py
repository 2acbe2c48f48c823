"""Two models on the same exam and seeds: which is better, whether they are equivalent, or how many
seeds would tell, under both estimands of `stats`.

The comparison is paired: B - A is taken seed by seed over the seeds both models were scored on
(and, for an exam of items, task by task), so what the two share (the seed, the task's difficulty)
cancels out of its spread. On an exam of items, each seed's pair rests on the tasks both judged
there (an infra item on either side is left out of both, `RunPoints.judged`), the scores scaled
to the whole exam; `checks_compared` counts the (seed, check) pairs compared.

- **On these tasks**: the per-seed differences d_s = score_B(s) - score_A(s) get the normal model of
  `stats.shrunk_estimate`, whose variance prior is the sum of the two models' hurdle variances
  (`stats.prior_variance`, each model's scoring rate smoothed toward the other's), worth NU0 seeds.
- **On tasks like these** (exams of items): the per-task differences of the mean points over the
  shared seeds, summed, with the item-clustered standard error (`stats.clustered_estimate`): the
  paired, clustered difference of Miller 2024 ("Adding Error Bars to Evals", arXiv:2411.00640,
  sections 2.2 and 4).

Each estimand gets a verdict, at `confidence` (say 0.95, alpha = 0.05):

- `equivalent`: the 1 - 2 alpha interval of the difference lies inside (-margin, +margin): the two
  one-sided tests (TOST) of Schuirmann 1987 ("A comparison of the two one-sided tests procedure and
  the power approach for assessing the equivalence of average bioavailability", J.
  Pharmacokinetics and Biopharmaceutics 15), each at level alpha;
- `A better` / `B better`: the 1 - alpha interval excludes 0;
- otherwise `undecided`, with the seeds that would settle it (on these tasks): the
  normal-approximation sample size for a two-sided test of a difference of D-hat, or for TOST with
  a margin of margin - |D-hat|, at 80% power (Chow, Shao & Wang, "Sample Size Calculations in
  Clinical Research", 2nd ed., sections 3.2.1 and 3.2.3), from the posterior's variance of one
  seed's difference, whichever needs fewer seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import stats

from scheduler.stats.intervals import (
    CONFIDENCE,
    OTHER,
    Estimate,
    RunPoints,
    clustered_estimate,
    pool_of,
    prior_variance,
    shrunk_estimate,
    task_means,
)


@dataclass(frozen=True)
class AdaptiveRules:
    """A sweep file's `adaptive:` block: how to spend seeds (the duty: `scheduler.fleet.adaptive`; parsed by `scheduler.sweeps.catalog`)."""

    max_seeds: int = 10
    margin: float = 1.0  # points: a paired difference inside +-margin counts as equivalent
    confidence: float = 0.95
    prune_after_compile_zero: int = 3

    def to_json(self) -> dict[str, Any]:
        """The block as stored in the sweep's definition."""
        return {
            "max_seeds": self.max_seeds,
            "margin": self.margin,
            "confidence": self.confidence,
            "prune_after_compile_zero": self.prune_after_compile_zero,
        }


POWER = 0.8
DEFAULT_MARGIN = AdaptiveRules().margin  # points, when the sweep file sets none


class Conclusion(StrEnum):
    """What a paired comparison concludes (a grade's outcome is `exams.types.Verdict`, another thing)."""

    A_BETTER = "A better"
    B_BETTER = "B better"
    EQUIVALENT = "equivalent"  # within the margin
    UNDECIDED = "undecided"  # the seeds do not settle it


@dataclass(frozen=True)
class Comparison:
    """B against A over their shared seeds (and tasks)."""

    seeds: int  # shared seeds
    mean_diff: float | None  # observed mean of B - A (points)
    ci_low: float | None  # the 1 - alpha interval of the difference on these tasks
    ci_high: float | None
    verdict: Conclusion  # on these tasks
    margin: float
    seeds_needed: int | None  # for an undecided pair: shared seeds that would settle it (80% power)
    sd_one_seed: float | None  # the standard deviation of one seed's difference (posterior, points)
    b_only: int  # (seed, check) pairs B passed and A did not
    a_only: int  # (seed, check) pairs A passed and B did not
    checks_compared: int = 0  # (seed, check) pairs both judged: what the comparison rests on
    tasks: int = 0  # tasks of an exam of items (0: not one)
    items_low: float | None = None  # the 1 - alpha interval on tasks like these
    items_high: float | None = None
    items_verdict: Conclusion | None = None  # on tasks like these

    def to_json(self) -> dict[str, object]:
        """Plain values for the JSON report."""
        return {
            "seeds": self.seeds,
            "mean_diff": self.mean_diff,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "verdict": self.verdict.value,
            "margin": self.margin,
            "seeds_needed": self.seeds_needed,
            "b_only": self.b_only,
            "a_only": self.a_only,
            "checks_compared": self.checks_compared,
            "tasks": self.tasks,
            "items_ci_low": self.items_low,
            "items_ci_high": self.items_high,
            "items_verdict": None if self.items_verdict is None else self.items_verdict.value,
        }


def _shared(runs: Sequence[RunPoints], seeds: set[int]) -> list[RunPoints]:
    return sorted((r for r in runs if r.seed in seeds), key=lambda r: r.seed)


def _judged_by_both(
    ra: list[RunPoints], rb: list[RunPoints], marks: Mapping[str, float]
) -> tuple[list[RunPoints], list[RunPoints]]:
    """The shared seeds' runs, each pair marked as judged on the checks both judged (an exam of
    items with infra items left out on either side), their points as graded."""
    names = frozenset(marks) - {OTHER}
    pa, pb = [], []
    for x, y in zip(ra, rb, strict=True):
        if x.judged is None and y.judged is None:
            pa.append(x)
            pb.append(y)
            continue
        common = (x.judged or names) & (y.judged or names)
        pa.append(replace(x, judged=common))
        pb.append(replace(y, judged=common))
    return pa, pb


def _scaled_to_judged(runs: list[RunPoints], marks: Mapping[str, float]) -> list[RunPoints]:
    """`_judged_by_both`'s runs restricted to the checks they were judged on, their points scaled to
    the exam's checks (a run judged on every check as it is)."""
    names = frozenset(marks) - {OTHER}
    out = []
    for r in runs:
        scale = len(names) / len(r.judged) if r.judged else 0.0
        out.append(
            r
            if r.judged is None
            else RunPoints(r.seed, {n: r.points.get(n, 0.0) * scale for n in r.judged}, r.judged)
        )
    return out


def decide(estimate: Estimate, margin: float, confidence: float = CONFIDENCE) -> Conclusion:
    """The verdict of the module's rules on a difference's distribution."""
    low, high = estimate.interval(confidence)
    low_eq, high_eq = estimate.interval(1.0 - 2.0 * (1.0 - confidence))
    if -margin < low_eq and high_eq < margin:
        return Conclusion.EQUIVALENT
    if low > 0:
        return Conclusion.B_BETTER
    if high < 0:
        return Conclusion.A_BETTER
    return Conclusion.UNDECIDED


def compare(
    a: Sequence[RunPoints],
    b: Sequence[RunPoints],
    marks: Mapping[str, float],
    *,
    margin: float = DEFAULT_MARGIN,
    confidence: float = CONFIDENCE,
    items: bool = False,
) -> Comparison:
    """Compare the runs of B against those of A on one exam whose checks are worth `marks`; `items`:
    the checks are the tasks of an exam of items, and the second estimand is given too."""
    seeds = {r.seed for r in a} & {r.seed for r in b}
    ja, jb = _judged_by_both(_shared(a, seeds), _shared(b, seeds), marks)
    ra, rb = _scaled_to_judged(ja, marks), _scaled_to_judged(jb, marks)
    names = frozenset(marks) - {OTHER}
    b_only = a_only = 0
    for x, y in zip(ra, rb, strict=True):
        for name, most in marks.items():
            passed_a = x.points.get(name, 0.0) >= most
            passed_b = y.points.get(name, 0.0) >= most
            b_only += passed_b and not passed_a
            a_only += passed_a and not passed_b
    if not seeds:
        return Comparison(0, None, None, None, Conclusion.UNDECIDED, margin, None, None, 0, 0)
    full = float(sum(marks.values()))
    prior = prior_variance(ra, marks, pool_of(rb)) + prior_variance(rb, marks, pool_of(ra))
    diffs = np.array([y.score - x.score for x, y in zip(ra, rb, strict=True)])
    estimate = shrunk_estimate(diffs, prior, -full, full)
    low, high = estimate.interval(confidence)
    verdict = decide(estimate, margin, confidence)
    one_seed = estimate.scale * math.sqrt(len(seeds))
    needed = (
        seeds_to_settle(estimate.centre, one_seed, margin, confidence)
        if verdict is Conclusion.UNDECIDED
        else None
    )
    clustered = (
        clustered_estimate(task_means(jb, marks) - task_means(ja, marks), -full, full) if items else None
    )
    items_low, items_high = clustered.interval(confidence) if clustered else (None, None)
    return Comparison(
        len(seeds),
        estimate.centre,
        low,
        high,
        verdict,
        margin,
        needed,
        one_seed,
        b_only,
        a_only,
        sum(len(x.judged) if x.judged is not None else len(names) for x in ra),
        len(names) if clustered else 0,
        items_low,
        items_high,
        decide(clustered, margin, confidence) if clustered else None,
    )


def verdict_chances(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> dict[Conclusion, float]:
    """The predictive probability of each verdict after `seeds` shared seeds, from a comparison made
    on fewer: the final mean difference is taken as normal around today's, with the variance the
    seeds still to come add, and judged by the normal approximation of the verdict's rules
    (stochastic curtailment: Jennison & Turnbull, "Group Sequential Methods with Applications to
    Clinical Trials", 2000, chapter 10; used both ways, to stop for futility and to stop once a
    verdict is unlikely to change, as in the predictive probability design of Lee & Liu 2008,
    "A predictive probability design for phase II cancer clinical trials", Clinical Trials 5).
    A comparison without data, or at `seeds` or more already, keeps its verdict with probability 1."""
    if c.mean_diff is None or c.sd_one_seed is None or seeds <= c.seeds:
        return {c.verdict: 1.0}
    alpha = 1.0 - confidence
    sd_final = c.sd_one_seed / math.sqrt(seeds)
    spread = c.sd_one_seed * math.sqrt(max(1.0 / c.seeds - 1.0 / seeds, 0.0))
    final = stats.norm(c.mean_diff, max(spread, 1e-9))
    difference = float(stats.norm.ppf(1.0 - alpha / 2.0)) * sd_final
    equivalence = c.margin - float(stats.norm.ppf(1.0 - alpha)) * sd_final
    chances = {
        Conclusion.B_BETTER: float(final.sf(difference)),
        Conclusion.A_BETTER: float(final.cdf(-difference)),
        Conclusion.EQUIVALENT: float(final.cdf(equivalence) - final.cdf(-equivalence))
        if equivalence > 0
        else 0.0,
    }
    chances[Conclusion.UNDECIDED] = max(0.0, 1.0 - sum(chances.values()))
    return chances


def chance_to_settle(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> float:
    """The predictive probability that `seeds` shared seeds give a verdict other than `undecided`
    (`verdict_chances`); 0 for a comparison without data or already at `seeds`."""
    if c.mean_diff is None or c.sd_one_seed is None or seeds <= c.seeds:
        return 0.0
    return 1.0 - verdict_chances(c, seeds, confidence)[Conclusion.UNDECIDED]


def chance_to_keep(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> float:
    """The predictive probability that `seeds` shared seeds give the verdict the comparison has now."""
    return verdict_chances(c, seeds, confidence).get(c.verdict, 0.0)


def seeds_to_settle(
    diff: float, sd_one_seed: float, margin: float, confidence: float = CONFIDENCE, power: float = POWER
) -> int:
    """Seeds that give `power` to show a difference of `diff` (two-sided, alpha = 1 - confidence) or,
    when |diff| < margin, equivalence within `margin` (TOST), whichever is fewer; `sd_one_seed` is the
    standard deviation of one seed's difference (points)."""
    alpha = 1.0 - confidence
    z_power = float(stats.norm.ppf(power))
    options = []
    if abs(diff) > 0:
        options.append(((float(stats.norm.ppf(1.0 - alpha / 2.0)) + z_power) * sd_one_seed / abs(diff)) ** 2)
    if abs(diff) < margin:
        options.append(
            ((float(stats.norm.ppf(1.0 - alpha)) + z_power) * sd_one_seed / (margin - abs(diff))) ** 2
        )
    return max(2, math.ceil(min(options))) if options else 10**6
