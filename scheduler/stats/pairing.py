"""The pairing rule: which models are compared with which, defined once for the report's verdicts
and the adaptive sweep's decisions (so the two cannot drift apart).

Every two quants of one family are compared on every exam both were run on. A family is the
catalog's `family` of a model; a family with one model in the sweep has no pairs. Models keep the
order in which the summary lists them (the report's order), and a pair is (A, B) with A first.

    quant_families([s(m1, famA), s(m2, famA), s(m3, famB)])       -> {"famA": ["m1", "m2"]}
    quant_pairs(stats) -> [("famA", "exam", "m1", "m2"), ...]      (only where both have the exam)
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Protocol


class Summarized(Protocol):
    """What the rule reads of a model-exam summary (`scheduler.stats.summary.ModelExamStats`)."""

    @property
    def model(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def exam(self) -> str: ...


def quant_families(stats: Sequence[Summarized]) -> dict[str, list[str]]:
    """Families that have more than one model in the sweep, with their models in order."""
    families: dict[str, list[str]] = {}
    for s in stats:
        models = families.setdefault(s.family, [])
        if s.model not in models:
            models.append(s.model)
    return {f: ms for f, ms in families.items() if len(ms) > 1}


def quant_pairs(stats: Sequence[Summarized]) -> list[tuple[str, str, str, str]]:
    """Every two quants of a family on one exam both have a summary for: (family, exam, A, B),
    by family, then exam (sorted), then the models' order."""
    have = {(s.model, s.exam) for s in stats}
    exams = sorted({s.exam for s in stats})
    return [
        (family, exam, a, b)
        for family, models in quant_families(stats).items()
        for exam in exams
        for a, b in combinations(models, 2)
        if (a, exam) in have and (b, exam) in have
    ]
