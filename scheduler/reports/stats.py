"""Small statistics for reports: means, ranges, Student-t confidence intervals, paired differences.

The t quantile is computed here (regularized incomplete beta by continued fraction, then
bisection) so reports need no scientific stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Lentz's evaluation of the continued fraction of the incomplete beta function."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The `p` quantile of Student's t with `df` degrees of freedom (0 < p < 1)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if df <= 0:
        raise ValueError(f"df must be positive, got {df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


@dataclass(frozen=True)
class Summary:
    """Mean, spread and a two-sided confidence interval of a sample."""

    n: int
    mean: float | None
    minimum: float | None
    maximum: float | None
    stdev: float | None  # sample standard deviation (n - 1)
    ci_low: float | None
    ci_high: float | None

    @property
    def ci_half_width(self) -> float | None:
        """Half the interval's width, None when n < 2."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return (self.ci_high - self.ci_low) / 2.0


def summarize(
    values: Sequence[float], confidence: float = CONFIDENCE, bounds: tuple[float, float] | None = None
) -> Summary:
    """Summarize `values`; the interval is mean ± t(df=n-1) · s/√n, None when n < 2.

    With `bounds` (a score's possible range) the interval is clipped to it: a score of 0-6 out of
    10 over three seeds gives "0.0 to 12.6" rather than an impossible "-4.6 to 12.6".
    """
    n = len(values)
    if n == 0:
        return Summary(0, None, None, None, None, None, None)
    mean = math.fsum(values) / n
    if n == 1:
        return Summary(1, mean, values[0], values[0], None, None, None)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    stdev = math.sqrt(variance)
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * stdev / math.sqrt(n)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return Summary(n, mean, min(values), max(values), stdev, low, high)


@dataclass(frozen=True)
class PairedComparison:
    """B minus A over the seeds both have: the mean difference and its confidence interval."""

    n: int
    mean_diff: float | None
    ci_low: float | None
    ci_high: float | None
    wins: int  # seeds where B scored higher
    ties: int
    losses: int


def compare_paired(a: dict[int, float], b: dict[int, float], confidence: float = CONFIDENCE) -> PairedComparison:
    """Compare two score series keyed by seed, over the seeds they share."""
    seeds = sorted(set(a) & set(b))
    diffs = [b[s] - a[s] for s in seeds]
    summary = summarize(diffs, confidence)
    return PairedComparison(
        n=len(diffs),
        mean_diff=summary.mean,
        ci_low=summary.ci_low,
        ci_high=summary.ci_high,
        wins=sum(d > 0 for d in diffs),
        ties=sum(d == 0 for d in diffs),
        losses=sum(d < 0 for d in diffs),
    )
