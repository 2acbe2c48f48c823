"""Adaptive sweeps: spend seeds only where a comparison is still open.

A sweep file may say `adaptive: {max_seeds: 10, margin: 1.0, confidence: 0.95,
prune_after_compile_zero: 3}`. Each round, every pair of models of one family on one exam is
compared (`stats.comparisons.compare`, paired seed by seed) over the seeds both have; a model-exam
cell gets its next seed from SEED_SEQUENCE only while one of its comparisons is open (a paired
comparison grows only on seeds both its cells run, so an open one keeps both open). The rules, in
order:

1. a cell none of whose first `prune_after_compile_zero` runs compiled is pruned (no more seeds;
   the article's rule), and each of its comparisons with a cell that compiled at least once is
   decided for that cell;
2. a comparison whose verdict is `A better`, `B better` or `equivalent` is closed once the
   predictive probability that `max_seeds` seeds give the same verdict is at least KEEP
   (`stats.comparisons.chance_to_keep`: the seeds to come drawn from the posterior predictive and
   judged by `compare`'s own rules); below that its cells stay open, so that an early verdict is
   one a fixed sweep of `max_seeds` seeds would also reach;
3. an undecided comparison that `max_seeds` seeds would settle with a predictive probability under
   FUTILITY (`stats.comparisons.chance_to_settle`) is given up (left undecided): the seeds would be
   spent for nothing;
4. a cell that has `max_seeds` seeds gets no more; a comparison whose cells both stopped is closed
   as it stands (undecided: the budget is spent).

`plan_round` is the rule, on plain data; the bench `bench/stats_simulation.py` measures it against a
fixed sweep of max_seeds seeds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.sweeps import adaptive_sweep_names, cell_templates
from scheduler.db.vocabulary import MODEL_VERDICTS
from scheduler.results.jobs import JobSpec, add_jobs
from scheduler.results.runs import NOT_GRADED, GradeChoice, SweepRuns, load_runs
from scheduler.stats.comparisons import (
    AdaptiveRules,
    Comparison,
    Conclusion,
    chance_to_keep,
    chance_to_settle,
    compare,
)
from scheduler.stats.intervals import RunPoints
from scheduler.stats.pairing import quant_pairs
from scheduler.stats.summary import summarize_sweep

# Both thresholds are chosen on the tuning families of bench/stats_simulation.py (section 4a: the most
# jobs saved at 95% agreement with a fixed sweep, else the best agreement) and reported on held-out ones.
FUTILITY = 0.125  # give a comparison up when the budget would settle it with less than this chance
KEEP = 0.975  # close a decided comparison when the budget would keep its verdict with at least this chance
# The article's seeds first, then more in a fixed order, so that every adaptive sweep of the same
# models runs the same seeds.
SEED_SEQUENCE = (
    42,
    123,
    456,
    789,
    1011,
    1213,
    1415,
    1617,
    1819,
    2021,
    2223,
    2425,
    2627,
    2829,
    3031,
    3233,
    3435,
    3637,
    3839,
    4041,
)


@dataclass(frozen=True)
class Cell:
    """One model on one exam: its scored runs (with the seeds they ran) and whether each compiled."""

    runs: Sequence[RunPoints]
    compiled: Sequence[bool]  # per run, in seed order
    marks: Mapping[str, float]


@dataclass
class RoundPlan:
    """What one round decides: the verdict of every pair, and why each cell is open or closed."""

    verdicts: dict[tuple[str, str], Conclusion] = field(default_factory=dict)
    comparisons: dict[tuple[str, str], Comparison] = field(default_factory=dict)
    open_cells: dict[str, str] = field(default_factory=dict)  # cell -> why it needs another seed
    pruned: dict[str, str] = field(default_factory=dict)  # cell -> why no more seeds
    given_up: dict[tuple[str, str], str] = field(default_factory=dict)  # pair -> why it is left undecided


def plan_round(
    cells: Mapping[str, Cell], pairs: Sequence[tuple[str, str]], rules: AdaptiveRules
) -> RoundPlan:
    """Decide, from the runs so far, which cells need another seed (see the module's rules)."""
    plan = RoundPlan()
    for key, cell in cells.items():
        first = cell.compiled[: rules.prune_after_compile_zero]
        if len(first) >= rules.prune_after_compile_zero and not any(first):
            plan.pruned[key] = f"compiled 0 of its first {rules.prune_after_compile_zero} runs"
    for a, b in pairs:
        c = compare(
            cells[a].runs,
            cells[b].runs,
            {**cells[a].marks, **cells[b].marks},
            margin=rules.margin,
            confidence=rules.confidence,
        )
        plan.comparisons[(a, b)] = c
        verdict = c.verdict
        if a in plan.pruned and b not in plan.pruned and any(cells[b].compiled):
            plan.verdicts[(a, b)] = Conclusion.B_BETTER  # decided by pruning: no more seeds change it
            continue
        if b in plan.pruned and a not in plan.pruned and any(cells[a].compiled):
            plan.verdicts[(a, b)] = Conclusion.A_BETTER
            continue
        plan.verdicts[(a, b)] = verdict
        if verdict is not Conclusion.UNDECIDED:
            kept = chance_to_keep(c, rules.max_seeds, rules.confidence)
            if kept >= KEEP:
                continue
            why = (
                f"{verdict} after {c.seeds} shared seeds, which {rules.max_seeds} seeds would confirm "
                f"with a chance of {kept:.0%}"
            )
        else:
            chance = chance_to_settle(c, rules.max_seeds, rules.confidence)
            if chance < FUTILITY:
                plan.given_up[(a, b)] = (
                    f"{rules.max_seeds} seeds would settle it with a chance of {chance:.0%}"
                )
                continue
            why = f"undecided after {c.seeds} shared seeds" + (
                f" (about {c.seeds_needed} would settle it)" if c.seeds_needed else ""
            )
        for key, other in ((a, b), (b, a)):
            if key in plan.pruned or len(cells[key].runs) >= rules.max_seeds:
                continue
            plan.open_cells.setdefault(key, f"against {other}: {why}")
    for key, cell in cells.items():
        if key not in plan.open_cells and key not in plan.pruned and len(cell.runs) >= rules.max_seeds:
            plan.pruned[key] = f"budget of {rules.max_seeds} seeds spent"
    return plan


def next_seed(seeds: Sequence[int]) -> int:
    """The first seed of SEED_SEQUENCE a cell has not run; ValueError when the sequence is used up."""
    for seed in SEED_SEQUENCE:
        if seed not in seeds:
            return seed
    raise ValueError(
        f"every seed of the adaptive sequence has run; max_seeds is at most {len(SEED_SEQUENCE)}"
    )


@dataclass
class AdvanceSummary:
    """What one `advance` call did to one sweep."""

    sweep: str
    added: dict[str, int] = field(default_factory=dict)  # "model/exam" -> the seed added
    open_cells: dict[str, str] = field(default_factory=dict)  # "model/exam" -> why it is open
    closed_cells: dict[str, str] = field(default_factory=dict)  # "model/exam" -> why it is closed
    waiting: list[str] = field(default_factory=list)  # open cells with jobs still running

    @property
    def done(self) -> bool:
        """No cell needs another seed."""
        return not self.open_cells


def cells_of(sweep_runs: SweepRuns) -> tuple[dict[str, Cell], list[tuple[str, str]], dict[str, bool]]:
    """The sweep's model-exam cells from its finished runs, the pairs to compare (models of one
    family on one exam) and, per cell, whether it still has jobs without a result."""
    stats = summarize_sweep(sweep_runs, GradeChoice.AUTO)
    cells, busy = {}, {}
    for s in stats:
        key = f"{s.model}/{s.exam}"
        compiled = {
            r.seed: bool(g.compiled)
            for r in sweep_runs.runs
            if r.model == s.model
            and r.exam == s.exam
            and (g := r.grade(GradeChoice.AUTO)) is not None
            and g.verdict in MODEL_VERDICTS
        }
        cells[key] = Cell(s.runs, [compiled.get(r.seed, False) for r in s.runs], s.marks)
        busy[key] = s.verdicts.get(NOT_GRADED, 0) > 0
    pairs = [(f"{a}/{exam}", f"{b}/{exam}") for _, exam, a, b in quant_pairs(stats)]
    return cells, pairs, busy


def advance(settings: Settings) -> list[AdvanceSummary]:
    """One round for every adaptive sweep in the database: a cell with an open comparison and no job
    in progress gets the next seed of SEED_SEQUENCE (recorded and enqueued by `submit`). Calling it
    again before those jobs finish adds nothing: it is safe to call periodically."""
    with connect(settings) as conn:
        names = adaptive_sweep_names(conn)
        loaded = {name: load_runs(conn, name) for name in names}
    return [_advance_sweep(settings, sweep_runs) for sweep_runs in loaded.values()]


def _advance_sweep(settings: Settings, sweep_runs: SweepRuns) -> AdvanceSummary:
    """One round for one sweep, from what Postgres holds: its stored definition's rules and, for a
    new seed of a cell, the params of that cell's latest job (never a worker's sweep files)."""

    rules = rules_of(sweep_runs)
    cells, pairs, busy = cells_of(sweep_runs)
    plan = plan_round(cells, pairs, rules)
    summary = AdvanceSummary(sweep_runs.sweep, closed_cells={**plan.pruned})
    with connect(settings) as conn:
        templates = cell_templates(conn, sweep_runs.sweep)
    seeds_run: dict[str, set[int]] = {}
    for run in sweep_runs.runs:
        seeds_run.setdefault(f"{run.model}/{run.exam}", set()).add(run.seed)
    new_specs = []
    for key, why in plan.open_cells.items():
        summary.open_cells[key] = why
        if busy[key]:
            summary.waiting.append(key)
            continue
        model, exam = key.split("/", 1)
        seed = next_seed(sorted(seeds_run.get(key, set())))
        params_hash, params = templates[(model, exam)]
        new_specs.append(JobSpec(sweep_runs.sweep, model, exam, seed, params, params_hash))
        summary.added[key] = seed
    for (a, b), why in plan.given_up.items():
        for key, other in ((a, b), (b, a)):
            if key not in summary.open_cells:
                summary.closed_cells.setdefault(key, f"gave up against {other}: {why}")
    for key in cells:
        if key not in summary.open_cells and key not in summary.closed_cells:
            summary.closed_cells[key] = "every comparison decided"
    if new_specs:
        add_jobs(settings, sweep_runs.sweep, new_specs)
    return summary


def rules_of(sweep_runs: SweepRuns) -> AdaptiveRules:
    """The adaptive rules of the sweep's stored definition (the defaults when it has none)."""
    block = sweep_runs.definition.get("adaptive")
    return AdaptiveRules(**block) if isinstance(block, dict) else AdaptiveRules()


def status_lines(sweep_runs: SweepRuns) -> list[str]:
    """For `scheduler status --sweep NAME`: an adaptive sweep's open and closed cells, and why; none
    for a sweep without an `adaptive:` block."""
    block = sweep_runs.definition.get("adaptive")
    if not isinstance(block, dict):
        return []
    cells, pairs, busy = cells_of(sweep_runs)
    plan = plan_round(cells, pairs, rules_of(sweep_runs))
    lines = [f"adaptive: {len(plan.open_cells)} cell(s) open, {len(plan.pruned)} closed"]
    lines += [
        f"  open {key}: {why}" + (" (its jobs are running)" if busy[key] else "")
        for key, why in sorted(plan.open_cells.items())
    ]
    lines += [f"  closed {key}: {why}" for key, why in sorted(plan.pruned.items())]
    return lines
