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
from numpy.typing import NDArray
from scipy import stats

from scheduler.stats.intervals import (
    CONFIDENCE,
    NU0,
    OTHER,
    Estimate,
    FloatArray,
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
PREDICTIVE_DRAWS = 4000  # draws of the seeds to come in `verdict_chances`
PREDICTIVE_STREAM = 28  # the seed of their fixed random stream
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
    prior_variance: float | None = None  # the variance prior of one seed's difference (points^2)
    full_marks: float | None = None  # the exam's full marks: the difference lies in +-full_marks

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


# The verdicts in the order of `decide_many`'s codes.
VERDICT_CODES = (Conclusion.UNDECIDED, Conclusion.EQUIVALENT, Conclusion.B_BETTER, Conclusion.A_BETTER)


def decide(estimate: Estimate, margin: float, confidence: float = CONFIDENCE) -> Conclusion:
    """The verdict of the module's rules on a difference's distribution (`decide_many` of one)."""
    codes = decide_many(
        np.array([estimate.centre]),
        np.array([estimate.scale]),
        estimate.df,
        margin,
        confidence,
        estimate.low_bound,
        estimate.high_bound,
    )
    return VERDICT_CODES[int(codes[0])]


def decide_many(
    centre: FloatArray,
    scale: FloatArray,
    df: float,
    margin: float,
    confidence: float = CONFIDENCE,
    low_bound: float = -math.inf,
    high_bound: float = math.inf,
) -> NDArray[np.int_]:
    """The module's verdict rules on many Student's t distributions of a difference at once (centres
    and scales in points, one `df`, intervals cut to [low_bound, high_bound] as `Estimate.interval`
    cuts them): per distribution, the index of its verdict in VERDICT_CODES."""
    alpha = 1.0 - confidence
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"confidence must be in (0.5, 1), got {confidence}")
    two_sided = float(stats.t.ppf(1.0 - alpha / 2.0, df)) * scale
    one_sided = float(stats.t.ppf(1.0 - alpha, df)) * scale
    low, high = np.maximum(centre - two_sided, low_bound), np.minimum(centre + two_sided, high_bound)
    low_eq = np.maximum(centre - one_sided, low_bound)
    high_eq = np.minimum(centre + one_sided, high_bound)
    return np.select(
        [(-margin < low_eq) & (high_eq < margin), low > 0, high < 0], [1, 2, 3], default=0
    ).astype(np.int_)


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
        prior,
        full,
    )


def verdict_chances(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> dict[Conclusion, float]:
    """The predictive probability of each verdict after `seeds` shared seeds, from a comparison made on fewer:
    the seeds still to come are drawn PREDICTIVE_DRAWS times from the posterior predictive of the module's
    normal model (the run-to-run variance drawn from its scaled inverse chi-square posterior, whose prior
    is `prior_variance` worth NU0 seeds, then the true mean difference, then the new seeds' mean and
    spread: Gelman et al., "Bayesian Data Analysis", 3rd ed., section 3.2), and each draw is judged by the
    rules themselves (`shrunk_estimate`'s variance, vectorised, and `decide_many`) on all the seeds (the
    variance prior held at today's): what a sweep of `seeds` seeds would conclude. The draws come from a
    fixed stream, so the answer is the same on every call. Stochastic curtailment (Jennison & Turnbull,
    "Group Sequential Methods with Applications to Clinical Trials", 2000, chapter 10) used both ways, to
    stop for futility and to stop once a verdict is unlikely to change, as in the predictive probability
    design of Lee & Liu 2008 ("A predictive probability design for phase II cancer clinical trials",
    Clinical Trials 5). A comparison without data, or at `seeds` or more already, keeps its verdict with
    probability 1."""
    if c.mean_diff is None or c.sd_one_seed is None or c.prior_variance is None or seeds <= c.seeds:
        return {c.verdict: 1.0}
    n, total, future = c.seeds, seeds, seeds - c.seeds
    rng = np.random.default_rng(PREDICTIVE_STREAM)
    dof = NU0 + n - 1
    variance = dof * c.sd_one_seed**2 / rng.chisquare(dof, PREDICTIVE_DRAWS)
    truth = c.mean_diff + np.sqrt(variance / n) * rng.standard_normal(PREDICTIVE_DRAWS)
    new_mean = truth + np.sqrt(variance / future) * rng.standard_normal(PREDICTIVE_DRAWS)
    new_squares = variance * rng.chisquare(future - 1, PREDICTIVE_DRAWS) if future > 1 else 0.0
    old_squares = max(dof * c.sd_one_seed**2 - NU0 * c.prior_variance, 0.0)  # (n - 1) x the sample variance
    squares = old_squares + new_squares + n * future / total * (c.mean_diff - new_mean) ** 2
    centre = (n * c.mean_diff + future * new_mean) / total
    scale = np.sqrt((NU0 * c.prior_variance + squares) / (NU0 + total - 1) / total)
    full = c.full_marks if c.full_marks is not None else math.inf
    codes = decide_many(centre, scale, NU0 + total - 1, c.margin, confidence, -full, full)
    counts = np.bincount(codes, minlength=len(VERDICT_CODES)) / PREDICTIVE_DRAWS
    return {verdict: float(share) for verdict, share in zip(VERDICT_CODES, counts, strict=True)}


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
