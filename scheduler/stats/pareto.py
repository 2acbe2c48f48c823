"""Pareto fronts: the models no other model beats on both mean score and a second coordinate
(decode speed, or GGUF size where smaller is better), per exam. Defined once for the report's
tables, its JSON and its plots; no rendering here.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.stats.summary import ModelExamStats


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of the points no other point beats on both coordinates (higher is better on each):
    another point at least as good on both and better on one dominates it."""
    return [
        i
        for i, (x, y) in enumerate(points)
        if not any(ox >= x and oy >= y and (ox > x or oy > y) for ox, oy in points)
    ]


PARETO_AXES = ("decode tok/s", "GGUF size")  # the second coordinate of each frontier, beside mean score


def _pareto_value(s: ModelExamStats, axis: str) -> float | None:
    """The second coordinate of a frontier, higher is better: the decode rate, or minus the size."""
    if axis == "GGUF size":
        return -s.size_gb if s.size_gb else None
    return s.decode_tps


def pareto_models(
    scored: Sequence[ModelExamStats], axis: str
) -> tuple[list[ModelExamStats], list[ModelExamStats]]:
    """(present, frontier): the models of `scored` (one exam's, each with a mean) that have a value on
    `axis` (one of PARETO_AXES), and those of them on the frontier of mean score and `axis`, best
    mean first."""
    present = [s for s in scored if _pareto_value(s, axis) is not None]
    front = pareto_front(
        [(float(s.scores.mean or 0.0), float(_pareto_value(s, axis) or 0.0)) for s in present]
    )
    return present, [present[i] for i in sorted(front, key=lambda i: -(present[i].scores.mean or 0.0))]
