"""The report's first statistics, frozen for the simulation bench's before/after columns:
a hurdle posterior with Jeffreys' prior on the scoring rate and a comonotonic variance prior,
and the comparison as the difference of the two models' independent posteriors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scheduler.stats.intervals import RunPoints, quantiles

NU0 = 1.0
STEPS = 300
S_BINS = 100
JEFFREYS = 0.5
FloatArray = NDArray[np.float64]


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


def score_posterior(
    runs: Sequence[RunPoints], marks: Mapping[str, float]
) -> tuple[FloatArray, FloatArray, int, int, int, float]:
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
    return centres, pmf, n, k, int(np.sum(scores >= full - 1e-9)), full


def interval(runs: Sequence[RunPoints], marks: Mapping[str, float]) -> tuple[float, float]:
    """The old 95% credible interval of the mean score."""
    grid, pmf, n, k, at_full, full = score_posterior(runs, marks)
    low, high = quantiles(grid, pmf, 0.95)
    if n and at_full == n:
        high = full
    if n and k == 0:
        low = 0.0
    return low, high


def compare(
    a: Sequence[RunPoints], b: Sequence[RunPoints], marks: Mapping[str, float], margin: float
) -> tuple[str, float, float]:
    """The old verdict on shared seeds (b, a in seed order) with its 95% interval of B - A."""
    ga, pa, *_ = score_posterior(a, marks)
    _, pb, *_ = score_posterior(b, marks)
    pmf = np.convolve(pb, pa[::-1])
    grid = (np.arange(pmf.size) - (pa.size - 1)) * (ga[1] - ga[0])
    low, high = quantiles(grid, pmf, 0.95)
    low_eq, high_eq = quantiles(grid, pmf, 0.9)
    if -margin < low_eq and high_eq < margin:
        return "equivalent", low, high
    if low > 0:
        return "B better", low, high
    if high < 0:
        return "A better", low, high
    return "undecided", low, high
