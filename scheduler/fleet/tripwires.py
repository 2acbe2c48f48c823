"""Tripwires: signs, while a sweep runs, that its results are not measuring the models.

- a model whose first `infra_first_jobs` finished jobs all ended in infrastructure verdicts (the
  article's Qwen3-Coder + draft gave empty results for a whole sweep before anyone noticed);
- a check that failed in every compiled run of every model so far, with at least
  `suspect_check_models` models (the article's RaceDetector): suspect the grader;
- a model run with a draft model (speculative decoding) whose generations drafted nothing, or
  whose draft tokens were accepted under `draft_acceptance` of the time (a drafter costing more
  than it saves; the article's sweep at 25 instead of 42 tok/s);
- a model whose generations report a decode rate of zero, or `identical_latencies` or more
  generations with the same wall time under `tiny_latency_s` (a server answering from a cache or
  an error page, not generating).

A sweep file turns each off (`false`) or sets its threshold:
`tripwires: {infra_first_jobs: 3, suspect_check_models: 2, identical_latencies: 3, tiny_latency_s: 1.0,
draft_acceptance: 0.10}`.

The first one also pauses the model's queue while the sweep runs (`scheduler/fleet/pauses.py`), unless
the sweep file says `tripwires: {pause: false}` (flag only). After `scheduler resume --model M`
the count starts again: the model is paused again only if the first `infra_first_jobs` of its
jobs that finish after the resume all end in infrastructure verdicts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from scheduler.db.vocabulary import INFRA_VERDICTS
from scheduler.results.runs import GradeChoice, Run, SweepRuns
from scheduler.stats.summary import check_counts


@dataclass(frozen=True)
class Tripwires:
    """A sweep's tripwires: each threshold (None: that tripwire is off) and whether the infra one
    pauses the model's queue. The sweep file's `tripwires:` block holds overrides of these
    defaults (`scheduler.sweeps.catalog` checks it; the stored definition keeps it as written)."""

    infra_first_jobs: int | None = 3  # jobs
    suspect_check_models: int | None = 2  # models
    identical_latencies: int | None = 3  # generations
    tiny_latency_s: float | None = 1.0  # seconds
    draft_acceptance: float | None = 0.10  # share of draft tokens accepted
    pause: bool = True

    @classmethod
    def of(cls, block: Any) -> Tripwires:
        """The tripwires of a stored `tripwires:` block (None or a mapping): `false` turns one off."""
        given = block if isinstance(block, Mapping) else {}
        values: dict[str, Any] = {"pause": given.get("pause") is not False}
        for name in THRESHOLDS:
            raw = given.get(name, getattr(cls, name))
            values[name] = None if raw is False else (int(raw) if name in COUNTS else float(raw))
        return cls(**values)


KEYS = tuple(f.name for f in fields(Tripwires))  # what a `tripwires:` block may set
THRESHOLDS = tuple(k for k in KEYS if k != "pause")
COUNTS = ("infra_first_jobs", "suspect_check_models", "identical_latencies")  # whole numbers


def infra_cause(model: str, finished: Sequence[str], first: float | None) -> str | None:
    """The tripwire's line when the first `first` of `finished` (verdicts, in order) are all infra."""
    if first is None:
        return None
    firsts = list(finished)[: int(first)]
    if len(firsts) < first or not all(v in INFRA_VERDICTS for v in firsts):
        return None
    causes = ", ".join(f"{v} {n}" for v, n in sorted(Counter(firsts).items()))
    return (
        f"model {model}: its first {len(firsts)} jobs all ended in infrastructure verdicts ({causes}); "
        "check its server before it spends the sweep"
    )


def tripped(sweep_runs: SweepRuns) -> list[str]:
    """One line per tripwire the sweep's runs trip, naming the model or check and the cause."""
    limits = Tripwires.of(sweep_runs.definition.get("tripwires"))
    by_model: dict[str, list[Run]] = {}
    for run in sorted(sweep_runs.runs, key=lambda r: r.job_id):
        by_model.setdefault(run.model, []).append(run)
    lines = []
    for model, runs in by_model.items():
        lines += _infra_first(model, runs, limits.infra_first_jobs)
        lines += _latencies(model, runs, limits.identical_latencies, limits.tiny_latency_s)
        lines += _drafter(model, runs, limits.draft_acceptance)
    lines += _suspect_checks(by_model, limits.suspect_check_models)
    return lines


def _infra_first(model: str, runs: Sequence[Run], first: float | None) -> list[str]:
    cause = infra_cause(model, [v for r in runs if (v := r.verdict(GradeChoice.AUTO)) is not None], first)
    return [] if cause is None else [cause]


def _drafter(model: str, runs: Sequence[Run], least: float | None) -> list[str]:
    """Runs whose server timings carry draft counts (`timings.draft_n`): a drafter at work."""
    drafting = [r for r in runs if r.draft_n is not None]
    if least is None or not drafting:
        return []
    drafted = sum(r.draft_n or 0 for r in drafting)
    accepted = sum(r.draft_n_accepted or 0 for r in drafting)
    if drafted == 0:
        return [(f"model {model}: its draft model drafted nothing in {len(drafting)} generation(s) "
                "(speculative decoding off? llama-server --spec-type): its speed is without the drafter")]  # fmt: skip
    if accepted / drafted < least:
        return [(f"model {model}: {accepted}/{drafted} draft tokens accepted ({100 * accepted / drafted:.0f}%, "
                f"under {100 * least:.0f}%): the drafter costs more than it saves")]  # fmt: skip
    return []


def _latencies(model: str, runs: Sequence[Run], identical: float | None, tiny_s: float | None) -> list[str]:
    lines = []
    zero = sum(1 for r in runs if r.decode_tps == 0)
    if zero:
        lines.append(f"model {model}: {zero} generation(s) report a decode rate of 0 tok/s")
    if identical is not None and tiny_s is not None:
        walls = Counter(r.wall_s for r in runs if r.wall_s is not None and r.wall_s < tiny_s)
        for wall, count in walls.items():
            if count >= identical:
                lines.append(
                    f"model {model}: {count} generations took exactly {wall:.3f} s "
                    f"(under {tiny_s:g} s): not a model generating"
                )
    return lines


def _suspect_checks(by_model: Mapping[str, Sequence[Run]], min_models: float | None) -> list[str]:
    if min_models is None:
        return []
    counts = [check_counts(runs, GradeChoice.AUTO) for runs in by_model.values()]
    lines = []
    for name in sorted({n for c in counts for n in c}):
        seen = [c[name] for c in counts if name in c]
        if len(seen) >= min_models and not any(passed for passed, _ in seen):
            lines.append(
                f"check {name} failed in all {sum(n for _, n in seen)} compiled runs of {len(seen)} models: "
                "suspect the grader"
            )
    return lines
