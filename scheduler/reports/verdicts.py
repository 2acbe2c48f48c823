"""Two models on the same exam and seeds: which is better, whether they are equivalent, or how many
seeds would tell.

The difference D = mean(B) - mean(A) is taken over the seeds both models were scored on, check by
check (the per-check differences, paired per seed and check, add up to it). Its posterior is the
difference of the two models' posteriors (`stats.score_posterior`, each from the shared seeds),
tabulated exactly by convolution. The verdict, at `confidence` (say 0.95, alpha = 0.05):

- `equivalent`: the 1 - 2 alpha interval of D lies inside (-margin, +margin): the two one-sided
  tests (TOST) of Schuirmann 1987 ("A comparison of the two one-sided tests procedure and the power
  approach for assessing the equivalence of average bioavailability", J. Pharmacokinetics and
  Biopharmaceutics 15), each at level alpha;
- `A better` / `B better`: the 1 - alpha interval of D excludes 0;
- otherwise `undecided`, with the seeds that would settle it: the normal-approximation sample size
  for a two-sided test of a difference of D-hat, or for TOST with a margin of margin - |D-hat|, at
  80% power (Chow, Shao & Wang, "Sample Size Calculations in Clinical Research", 2nd ed., sections
  3.2.1 and 3.2.3), from the posterior's standard deviation scaled to one seed, whichever needs
  fewer seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

from scheduler.catalog import AdaptiveRules
from scheduler.reports.stats import CONFIDENCE, OTHER, RunPoints, quantiles, score_posterior

POWER = 0.8
DEFAULT_MARGIN = AdaptiveRules().margin  # points, when the sweep file sets none


class Verdict(StrEnum):
    """The outcome of a paired comparison."""

    A_BETTER = "A better"
    B_BETTER = "B better"
    EQUIVALENT = "equivalent"  # within the margin
    UNDECIDED = "undecided"  # the seeds do not settle it


@dataclass(frozen=True)
class Comparison:
    """B against A over their shared seeds."""

    seeds: int  # shared seeds
    mean_diff: float | None  # observed mean of B - A (points)
    ci_low: float | None  # the 1 - alpha credible interval of the difference
    ci_high: float | None
    verdict: Verdict
    margin: float
    seeds_needed: int | None  # for an undecided pair: shared seeds that would settle it (80% power)
    sd_one_seed: float | None  # the posterior's standard deviation of the difference, scaled to one seed
    b_only: int  # (seed, check) pairs B passed and A did not
    a_only: int  # (seed, check) pairs A passed and B did not
    checks_compared: int = 0  # (seed, check) pairs both judged: what the comparison rests on

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
        }


def _shared(runs: Sequence[RunPoints], seeds: set[int]) -> list[RunPoints]:
    return sorted((r for r in runs if r.seed in seeds), key=lambda r: r.seed)


def _paired_on_items(
    ra: list[RunPoints], rb: list[RunPoints], marks: Mapping[str, float]
) -> tuple[list[RunPoints], list[RunPoints]]:
    """The shared seeds' runs, each pair restricted to the checks both judged (an exam of items
    with infra items left out on either side), their points scaled to the exam's checks."""
    names = frozenset(marks) - {OTHER}
    pa, pb = [], []
    for x, y in zip(ra, rb, strict=True):
        if x.judged is None and y.judged is None:
            pa.append(x)
            pb.append(y)
            continue
        common = (x.judged or names) & (y.judged or names)
        scale = len(names) / len(common) if common else 0.0
        pa.append(RunPoints(x.seed, {n: x.points.get(n, 0.0) * scale for n in common}, common))
        pb.append(RunPoints(y.seed, {n: y.points.get(n, 0.0) * scale for n in common}, common))
    return pa, pb


def compare(
    a: Sequence[RunPoints],
    b: Sequence[RunPoints],
    marks: Mapping[str, float],
    *,
    margin: float = DEFAULT_MARGIN,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Compare the runs of B against those of A on one exam whose checks are worth `marks`."""
    seeds = {r.seed for r in a} & {r.seed for r in b}
    ra, rb = _paired_on_items(_shared(a, seeds), _shared(b, seeds), marks)
    names = frozenset(marks) - {OTHER}
    b_only = a_only = 0
    for x, y in zip(ra, rb, strict=True):
        for name, most in marks.items():
            passed_a = x.points.get(name, 0.0) >= most
            passed_b = y.points.get(name, 0.0) >= most
            b_only += passed_b and not passed_a
            a_only += passed_a and not passed_b
    if not seeds:
        return Comparison(0, None, None, None, Verdict.UNDECIDED, margin, None, None, 0, 0)
    pa, pb = score_posterior(ra, marks), score_posterior(rb, marks)
    pmf = np.convolve(pb.pmf, pa.pmf[::-1])
    step = pa.grid[1] - pa.grid[0]
    grid = (np.arange(pmf.size) - (pa.pmf.size - 1)) * step
    low, high = quantiles(grid, pmf, confidence)
    low_eq, high_eq = quantiles(grid, pmf, 1.0 - 2.0 * (1.0 - confidence))
    diff = float(np.mean([y.score - x.score for x, y in zip(ra, rb, strict=True)]))
    if -margin < low_eq and high_eq < margin:
        verdict = Verdict.EQUIVALENT
    elif low > 0:
        verdict = Verdict.B_BETTER
    elif high < 0:
        verdict = Verdict.A_BETTER
    else:
        verdict = Verdict.UNDECIDED
    sd = float(np.sqrt(max(float(np.dot(grid**2, pmf)) - float(np.dot(grid, pmf)) ** 2, 0.0)))
    one_seed = sd * math.sqrt(len(seeds))
    needed = seeds_to_settle(diff, one_seed, margin, confidence) if verdict is Verdict.UNDECIDED else None
    compared = sum(len(x.judged) if x.judged is not None else len(names) for x in ra)
    return Comparison(
        len(seeds), diff, low, high, verdict, margin, needed, one_seed, b_only, a_only, compared
    )


def verdict_chances(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> dict[Verdict, float]:
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
        Verdict.B_BETTER: float(final.sf(difference)),
        Verdict.A_BETTER: float(final.cdf(-difference)),
        Verdict.EQUIVALENT: float(final.cdf(equivalence) - final.cdf(-equivalence))
        if equivalence > 0
        else 0.0,
    }
    chances[Verdict.UNDECIDED] = max(0.0, 1.0 - sum(chances.values()))
    return chances


def chance_to_settle(c: Comparison, seeds: int, confidence: float = CONFIDENCE) -> float:
    """The predictive probability that `seeds` shared seeds give a verdict other than `undecided`
    (`verdict_chances`); 0 for a comparison without data or already at `seeds`."""
    if c.mean_diff is None or c.sd_one_seed is None or seeds <= c.seeds:
        return 0.0
    return 1.0 - verdict_chances(c, seeds, confidence)[Verdict.UNDECIDED]


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
