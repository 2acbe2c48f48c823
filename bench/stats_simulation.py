"""Simulated sweeps with a known truth: do the report's intervals and verdicts hold?

    python bench/stats_simulation.py [--sweeps 1000]

Each simulated model has per-check pass probabilities close to the article's observed rates (exam v1:
three programs of build, run and three output points, with the article's rare build failures and
wordfreq's lost point; exam v2: a hurdle of building at the article's compile rates, then ten tests
at its per-test rates), and two correlations: the checks of one run share a run effect (one-factor
probit, RHO), and runs of two models with the same seed share a seed effect (TAU), as two quants of
one model given the same seed do. The truth is each model's exact mean score (by a 400,000-run
simulation).

It prints (1) the 95% intervals' coverage of the true mean at 3 and 5 seeds, beside the Student t
interval the report used before; (2) how often "equivalent" is said of pairs whose true difference
is outside the margin, at 10 seeds and in the adaptive sweep; (3) the adaptive sweep of
`scheduler.adaptive` (start with 3 seeds, add one seed a round to cells with an open comparison,
prune a cell that compiled 0 of its first N runs, for N = 4 and the article's 3) against a fixed
10-seed sweep on the same simulated runs: how often their verdicts agree and how many jobs each ran.

A comparison of the same runs is made once and reused (the adaptive rounds and the fixed sweep look
at the same prefixes of each cell's runs).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scheduler.adaptive
from scheduler.adaptive import Cell, plan_round
from scheduler.catalog import AdaptiveRules
from scheduler.reports.stats import RunPoints, score_posterior
from scheduler.reports.verdicts import Comparison, Verdict
from scheduler.reports.verdicts import compare as compare_runs

RHO = 0.5  # within-run correlation of checks (probit scale)
TAU = 0.3  # share of the run effect common to all models with the same seed
MARGIN = 1.0
MAX_SEEDS = 10
START_SEEDS = 3
PRUNE_AFTER = (4, 3)  # prune_after_compile_zero: one row block each (3 is the article's rule)
V2_TESTS = (1.0, 1.0, 0.95, 0.1, 0.9, 0.95, 0.15, 0.95, 0.7, 0.2)  # article-like rates, compiled runs


@dataclass(frozen=True)
class Check:
    """One check: its points, pass probability given its parent passed, and its parent."""

    name: str
    points: float
    rate: float
    parent: int | None = None


@dataclass(frozen=True)
class Truth:
    """A simulated model on one exam."""

    name: str
    checks: tuple[Check, ...]
    build_rate: float = 1.0  # v2's hurdle: a run that does not build fails every check

    @property
    def marks(self) -> dict[str, float]:
        return {c.name: c.points for c in self.checks}

    def sample(self, rng: np.random.Generator, seed_effect: np.ndarray) -> np.ndarray:
        """Points per (run, check) for runs with the given seed effects (one run a seed)."""
        n = seed_effect.size
        run = np.sqrt(TAU) * seed_effect[:, None] + np.sqrt(1 - TAU) * rng.standard_normal((n, 1))
        latent = np.sqrt(RHO) * run + np.sqrt(1 - RHO) * rng.standard_normal((n, len(self.checks)))
        passed = latent < stats.norm.ppf([c.rate for c in self.checks])
        for j, check in enumerate(self.checks):
            if check.parent is not None:
                passed[:, j] &= passed[:, check.parent]
        passed &= (rng.random(n) < self.build_rate)[:, None]
        points: np.ndarray = passed * np.array([c.points for c in self.checks])
        return points

    def true_mean(self) -> float:
        rng = np.random.default_rng(12345)
        return float(self.sample(rng, rng.standard_normal(400_000)).sum(axis=1).mean())


def v1(name: str, programs: list[tuple[float, float, tuple[float, float, float]]]) -> Truth:
    """Exam v1: per program (build, run given build, three output points given run)."""
    checks: list[Check] = []
    for p, (build, run, outputs) in zip(("factorial", "wordfreq", "filetreewalk"), programs, strict=True):
        b = len(checks)
        checks += [Check(f"{p}.build", 1, build), Check(f"{p}.run", 1, run, b)]
        checks += [Check(f"{p}.output{i}", 1, o, b + 1) for i, o in enumerate(outputs)]
    return Truth(name, tuple(checks))


def v2(name: str, build_rate: float, shift: float = 0.0) -> Truth:
    """Exam v2: a build hurdle, then ten tests at the article-like rates (shifted)."""
    rates = [min(0.995, max(0.005, r + shift)) for r in V2_TESTS]
    return Truth(name, tuple(Check(f"t{i}", 1, r) for i, r in enumerate(rates)), build_rate)


V1_STEADY = v1(
    "v1 steady (14-15)",
    [(0.995, 0.995, (0.99, 0.99, 0.99)), (0.97, 0.99, (0.99, 0.99, 0.05)), (0.94, 0.99, (0.99, 0.97, 0.97))],
)
V1_WOBBLY = v1(
    "v1 wobbly (9-14)",
    [(0.995, 0.995, (0.99, 0.99, 0.99)), (0.95, 0.99, (0.99, 0.99, 0.05)), (0.7, 0.95, (0.99, 0.9, 0.7))],
)
V2_GEMMA = v2("v2 compiles 2/3", 2 / 3)
V2_QWEN = v2("v2 compiles 1/3", 1 / 3)
V2_STRONG = v2("v2 compiles 19/20, +0.1", 0.95, 0.1)
V2_NEVER = v2("v2 never compiles", 0.0)
TRUTHS = (V1_STEADY, V1_WOBBLY, V2_GEMMA, V2_QWEN, V2_STRONG)
# Families of cells compared pairwise, as the quants of one model in a sweep.
FAMILIES = {
    "v1: steady, steady, wobbly": (V1_STEADY, V1_STEADY, V1_WOBBLY),
    "v2: 2/3, 1/3, strong": (V2_GEMMA, V2_QWEN, V2_STRONG),
    "v2: 2/3, never, strong": (V2_GEMMA, V2_NEVER, V2_STRONG),
    "v2: 2/3, 2/3 +0.3": (V2_GEMMA, v2("v2 compiles 2/3, +0.3", 2 / 3, 0.3)),
}


_compared: dict[tuple[int, int, int, int, float, float], Comparison] = {}


def compare(
    a: list[RunPoints],
    b: list[RunPoints],
    marks: dict[str, float],
    *,
    margin: float,
    confidence: float = 0.95,
) -> Comparison:
    """`verdicts.compare`, made once per pair of run prefixes within one simulated sweep."""
    key = (id(a[0]) if a else 0, len(a), id(b[0]) if b else 0, len(b), margin, confidence)
    if key not in _compared:
        _compared[key] = compare_runs(a, b, marks, margin=margin, confidence=confidence)
    return _compared[key]


scheduler.adaptive.compare = compare  # type: ignore[assignment,attr-defined]  # the rounds reuse the comparisons too


def runs_of(points: np.ndarray, truth: Truth, count: int) -> list[RunPoints]:
    names = [c.name for c in truth.checks]
    return [RunPoints(i, dict(zip(names, map(float, points[i]), strict=True))) for i in range(count)]


def t_interval(scores: np.ndarray) -> tuple[float, float]:
    n = scores.size
    half = float(stats.t.ppf(0.975, n - 1)) * float(scores.std(ddof=1)) / np.sqrt(n)
    return float(scores.mean()) - half, float(scores.mean()) + half


def coverage(sweeps: int) -> None:
    print(f"\n(1) 95% interval coverage of the true mean, {sweeps} simulated sweeps per row")
    print(
        f"{'model':28} {'truth':>6} {'seeds':>5} {'ours':>6} {'t (old)':>8} {'our width':>10} {'t width':>8}"
    )
    rng = np.random.default_rng(1)
    for truth in TRUTHS:
        mean = truth.true_mean()
        for n in (3, 5):
            hits = t_hits = 0
            width = t_width = 0.0
            for _ in range(sweeps):
                points = truth.sample(rng, rng.standard_normal(n))
                low, high = score_posterior(runs_of(points, truth, n), truth.marks).interval(0.95)
                t_low, t_high = t_interval(points.sum(axis=1))
                hits += low <= mean <= high
                t_hits += t_low <= mean <= t_high
                width += high - low
                t_width += t_high - t_low
            print(
                f"{truth.name:28} {mean:6.2f} {n:5d} {hits / sweeps:6.3f} {t_hits / sweeps:8.3f} "
                f"{width / sweeps:10.2f} {t_width / sweeps:8.2f}",
                flush=True,
            )


def adaptive(sweeps: int, prune_after: int) -> None:
    rules = AdaptiveRules(
        max_seeds=MAX_SEEDS, margin=MARGIN, confidence=0.95, prune_after_compile_zero=prune_after
    )
    print(
        f"\n(2, 3) adaptive sweep against a fixed {MAX_SEEDS}-seed sweep, {sweeps} simulated sweeps per family "
        f"(margin ±{MARGIN:g}, prune_after_compile_zero: {prune_after})"
    )
    print(
        f"{'family':28} {'pairs':>6} {'agree':>6} {'jobs fixed':>10} {'adaptive':>9} {'saved':>6} "
        f"{'eq wrong fixed':>14} {'eq wrong adaptive':>17} {'pairs outside margin':>20}"
    )
    rng = np.random.default_rng(2)
    totals = {
        "pairs": 0,
        "agree": 0,
        "fixed": 0,
        "adaptive": 0,
        "outside": 0,
        "eq_fixed": 0,
        "eq_adaptive": 0,
    }
    for family, cells in FAMILIES.items():
        means = [t.true_mean() for t in cells]
        pairs = list(itertools.combinations(range(len(cells)), 2))
        row = dict.fromkeys(totals, 0)
        for _ in range(sweeps):
            seed_effect = rng.standard_normal(MAX_SEEDS)
            data = [runs_of(t.sample(rng, seed_effect), t, MAX_SEEDS) for t in cells]
            _compared.clear()  # the runs of the last sweep are gone: their ids may be reused
            fixed = {
                p: compare(data[p[0]], data[p[1]], cells[p[0]].marks, margin=MARGIN).verdict for p in pairs
            }
            seeds, verdicts = run_adaptive(cells, data, pairs, rules)
            row["pairs"] += len(pairs)
            row["agree"] += sum(fixed[p] == verdicts[p] for p in pairs)
            row["fixed"] += MAX_SEEDS * len(cells)
            row["adaptive"] += sum(seeds)
            for p in pairs:
                if abs(means[p[1]] - means[p[0]]) > MARGIN:
                    row["outside"] += 1
                    row["eq_fixed"] += fixed[p] is Verdict.EQUIVALENT
                    row["eq_adaptive"] += verdicts[p] is Verdict.EQUIVALENT
        for key in totals:
            totals[key] += row[key]
        _adaptive_row(family, row)
    _adaptive_row("all", totals)


def _adaptive_row(name: str, row: dict[str, int]) -> None:
    outside = max(row["outside"], 1)
    print(
        f"{name:28} {row['pairs']:6d} {row['agree'] / row['pairs']:6.3f} {row['fixed']:10d} {row['adaptive']:9d} "
        f"{1 - row['adaptive'] / row['fixed']:6.1%} {row['eq_fixed'] / outside:14.3f} "
        f"{row['eq_adaptive'] / outside:17.3f} {row['outside']:20d}",
        flush=True,
    )


def run_adaptive(
    cells: tuple[Truth, ...], data: list[list[RunPoints]], pairs: list[tuple[int, int]], rules: AdaptiveRules
) -> tuple[list[int], dict[tuple[int, int], Verdict]]:
    """Rounds of `scheduler.adaptive.plan_round` until no cell is open; the seeds each cell ran and
    the verdicts at the end."""
    seeds = [START_SEEDS] * len(cells)
    keys = [str(i) for i in range(len(cells))]
    named_pairs = [(keys[a], keys[b]) for a, b in pairs]
    while True:
        state = {
            keys[i]: Cell(data[i][: seeds[i]], [r.score > 0 for r in data[i][: seeds[i]]], cells[i].marks)
            for i in range(len(cells))
        }
        plan = plan_round(state, named_pairs, rules)
        if not plan.open_cells:
            return seeds, {p: plan.verdicts[(keys[p[0]], keys[p[1]])] for p in pairs}
        for key in plan.open_cells:
            seeds[int(key)] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument("--only", choices=("coverage", "adaptive"))
    args = parser.parse_args()
    start = time.monotonic()
    with open("/proc/loadavg") as fh:
        print(f"load average at start: {fh.read().split()[0]}")
    if args.only != "adaptive":
        coverage(args.sweeps)
    if args.only != "coverage":
        for prune_after in PRUNE_AFTER:
            adaptive(args.sweeps, prune_after)
    print(f"\n{time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
