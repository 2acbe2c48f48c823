"""Statistics for reports: the posterior of a model's mean score from its runs' checks, and intervals
for proportions. Numerical routines are scipy.stats'.

A grade is a list of checks worth points (v1: 3 programs x build, run, output; v2: 10 tests; any
exam whose grade is a list of checks), and a run's score is their sum. Over the seeds of one model
on one exam, the mean score M = c * S, with

- c, the share of runs that score anything (a run that does not build scores nothing): a hurdle
  model (Mullahy 1986, "Specification and testing of some modified count data models", Journal of
  Econometrics 33). c gets Jeffreys' prior, so its posterior is Beta(k + 1/2, n - k + 1/2) for k
  scoring runs of n (Brown, Cai & DasGupta 2001, "Interval estimation for a binomial proportion",
  Statistical Science 16);
- S, the mean score of the runs that score: a normal model with a flat prior on the mean and a
  conjugate scaled-inverse-chi-square prior on the run-to-run variance (Gelman et al., "Bayesian
  Data Analysis", 3rd ed., section 3.3), worth NU0 = 1 run, whose scale is the largest variance the
  checks allow: the variance of the sum of the checks when they pass and fail together
  (comonotonic), at each check's pass rate smoothed as Jeffreys' (passed + 1/2) / (runs + 1). A
  comonotonic sum has the largest variance of all sums with those marginals (Dhaene et al. 2002,
  "The concept of comonotonicity in actuarial science and finance: theory", Insurance:
  Mathematics and Economics 31). So three equal scores do not make a zero-width interval, and the
  checks' own spread bounds how wide it is. The posterior of S is Student's t with
  NU0 + k - 1 degrees of freedom, cut to [0, full marks].

The posterior of M is tabulated on STEPS bins over [0, full marks] (a mixture over S, in S_BINS bins,
of scaled Beta distributions, computed exactly: the same runs always give the same interval). The bench
`bench/stats_simulation.py` measures the intervals' coverage on simulated sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy import stats

CONFIDENCE = 0.95
NU0 = 1.0  # runs' worth of the prior on the run-to-run variance
STEPS = 300  # bins of the tabulated posterior over [0, full marks]
S_BINS = 100  # bins of the scoring runs' mean over [0, full marks]
JEFFREYS = 0.5
OTHER = "(other points)"  # points of a score no check accounts for

FloatArray = NDArray[np.float64]


def proportion_interval(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float] | None:
    """Wilson's score interval of a proportion k/n (Wilson 1927, JASA 22; scipy.stats.binomtest);
    None when n is 0."""
    if n == 0:
        return None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class RunPoints:
    """One run's points per check (a check missing from the run scored 0 there)."""

    seed: int
    points: Mapping[str, float]
    # An exam of items with some left out (infra): the checks judged; its score is their share of
    # full marks, so `points` then holds the rest as OTHER. None: every check was judged.
    judged: frozenset[str] | None = None

    @property
    def score(self) -> float:
        """The run's score: the sum of its checks' points."""
        return float(sum(self.points.values()))


def runs_from_grades(
    grades: Sequence[tuple[int, float, Sequence[Mapping[str, object]]]], full_marks: float
) -> tuple[list[RunPoints], dict[str, float]]:
    """(seed, score, checks) of each grade as RunPoints, with each check's max points.

    A score's points that no check accounts for (a grade without checks, say) are kept as one more
    check, OTHER, worth what the checks leave of full marks; checks that claim more points than the
    score are scaled down to it (the score is the grade's verdict on the run).
    """
    marks: dict[str, float] = {}
    runs = []
    for seed, score, checks in grades:
        points: dict[str, float] = {}
        for check in checks:
            name = str(check.get("name"))
            points[name] = points.get(name, 0.0) + _number(check.get("points"))
            marks[name] = max(marks.get(name, 0.0), _number(check.get("max_points")))
        counted = sum(points.values())
        if counted > score:  # a grade whose checks claim more than its score: the score decides
            points = {name: p * score / counted for name, p in points.items()}
        elif counted < score:
            points[OTHER] = score - counted
        runs.append(RunPoints(seed, points))
    rest_marks = full_marks - sum(marks.values())
    if rest_marks > 0 or any(OTHER in r.points for r in runs):
        marks[OTHER] = max(rest_marks, max((r.points.get(OTHER, 0.0) for r in runs), default=0.0))
    return runs, {name: most for name, most in marks.items() if most > 0}


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


@dataclass(frozen=True)
class ScorePosterior:
    """The posterior of one model's mean score on one exam; `pmf[i]` is the probability that the
    mean lies in the bin of width full_marks / STEPS centred on `grid[i]` (points)."""

    full_marks: float
    n: int  # runs
    scoring: int  # runs that scored above zero
    at_full_marks: int  # runs with full marks
    sample_mean: float | None
    grid: FloatArray
    pmf: FloatArray

    @property
    def mean(self) -> float:
        """The posterior mean of the mean score (points)."""
        return float(np.dot(self.grid, self.pmf))

    @property
    def sd(self) -> float:
        """The posterior standard deviation of the mean score (points)."""
        return float(np.sqrt(max(float(np.dot(self.grid**2, self.pmf)) - self.mean**2, 0.0)))

    def interval(self, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """The equal-tailed credible interval at `confidence`, in points; as for Jeffreys' interval, an
        end the data sit on is the bound itself (all runs at full marks: the upper end is full marks;
        all at zero: the lower end is zero)."""
        low, high = quantiles(self.grid, self.pmf, confidence)
        if self.n and self.at_full_marks == self.n:
            high = self.full_marks
        if self.n and self.scoring == 0:
            low = 0.0
        return low, high


def quantiles(grid: FloatArray, pmf: FloatArray, confidence: float) -> tuple[float, float]:
    """The (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of a tabulated distribution whose
    `grid` holds evenly spaced bin centres, interpolated within bins."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    half = (grid[1] - grid[0]) / 2.0
    edges = np.concatenate([[grid[0] - half], grid + half])
    cdf = np.concatenate([[0.0], np.cumsum(pmf)])
    cdf /= cdf[-1]
    tail = (1.0 - confidence) / 2.0
    low, high = np.interp([tail, 1.0 - tail], cdf, edges)
    return float(low), float(high)


def comonotonic_variance(passed: FloatArray, runs: int, marks: FloatArray) -> float:
    """The variance of a sum of checks worth `marks` that pass and fail together, each passing at
    its Jeffreys-smoothed rate (passed + 1/2) / (runs + 1); `passed` counts passes (fractional
    for partial points)."""
    rate = (passed + JEFFREYS) / (runs + 1.0)
    joint = np.minimum.outer(rate, rate) - np.outer(rate, rate)
    return float(marks @ joint @ marks)


@cache
def _scaled_rate_cdf(n: int, k: int, full: float) -> FloatArray:
    """P(c * S <= x) for c ~ Beta(k + 1/2, n - k + 1/2), one row per S bin, one column per x edge."""
    edges = np.linspace(0.0, full, STEPS + 1)
    s_grid = (np.arange(S_BINS) + 0.5) * full / S_BINS
    rate = stats.beta(k + JEFFREYS, n - k + JEFFREYS)
    table: FloatArray = rate.cdf(np.minimum(edges[None, :] / s_grid[:, None], 1.0))
    return table


def score_posterior(runs: Sequence[RunPoints], marks: Mapping[str, float]) -> ScorePosterior:
    """The posterior of the mean score of `runs`, whose checks are worth `marks` (full marks = their
    sum). Raises ValueError when the checks are worth nothing."""
    names = sorted(marks)
    weights = np.array([marks[n] for n in names], dtype=float)
    full = float(weights.sum())
    if full <= 0:
        raise ValueError("an exam needs at least one check worth a point")
    shares = np.array(
        [[min(max(r.points.get(n, 0.0) / marks[n], 0.0), 1.0) for n in names] for r in runs], dtype=float
    ).reshape(len(runs), len(names))
    scores = shares @ weights
    scoring = shares[scores > 0]
    n, k = len(runs), int(scoring.shape[0])
    edges = np.linspace(0.0, full, STEPS + 1)
    centres = (edges[:-1] + edges[1:]) / 2.0
    s_grid = (np.arange(S_BINS) + 0.5) * full / S_BINS
    if k == 0:
        density = np.ones(S_BINS)  # nothing is known of what a scoring run would score
    else:
        positive = scoring @ weights
        df = NU0 + k - 1
        spread = float(positive.var(ddof=1)) if k > 1 else 0.0
        prior = comonotonic_variance(scoring.sum(axis=0), k, weights)
        scale = np.sqrt((NU0 * prior + (k - 1) * spread) / df / k)
        density = stats.t.pdf((s_grid - positive.mean()) / max(scale, 1e-9), df)
    density /= density.sum()
    cdf = density @ _scaled_rate_cdf(n, k, full)
    pmf = np.clip(np.diff(cdf), 0.0, None)
    pmf /= pmf.sum()
    return ScorePosterior(
        full, n, k, int(np.sum(scores >= full - 1e-9)), float(scores.mean()) if n else None, centres, pmf
    )


@dataclass(frozen=True)
class Summary:
    """Mean, spread and the credible interval of one model's scores on one exam."""

    n: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    stdev: float | None  # sample standard deviation (n - 1)
    ci_low: float | None
    ci_high: float | None


def summarize(
    runs: Sequence[RunPoints], marks: Mapping[str, float], confidence: float = CONFIDENCE
) -> Summary:
    """Summarize the runs' scores; the interval is the posterior's (see the module), None when n is 0."""
    scores = [r.score for r in runs]
    if not scores:
        return Summary(0, None, None, None, None, None, None)
    low, high = score_posterior(runs, marks).interval(confidence) if marks else (None, None)
    stdev = float(np.std(scores, ddof=1)) if len(scores) > 1 else None
    return Summary(len(scores), float(np.mean(scores)), min(scores), max(scores), stdev, low, high)
