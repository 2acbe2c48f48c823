"""Two speed figures, never mixed: single-stream speed (the speed probes) and aggregate throughput.

- Single-stream speed of a (model, machine): the median of its speed probes' figures (a fixed
  prompt decoded alone, worker/speed_probe.py). A model's `decode_tps` in every table and Pareto
  front is this figure; where a model has no probe, the mean decode rate of its generations that
  ran alone (concurrency 1, or unknown: stored before it was counted, or imported); otherwise none. A rate measured beside other generations is never
  averaged into it.
- Aggregate throughput of a machine on a model: completion tokens of all its streams per busy
  second (the union of its attempts' spans), and jobs per busy hour.
- Decode per stream under concurrency: generations' own rates, grouped by how many ran at once.

Each single-stream figure is shown with the conditions it was measured under (build, slots,
context, settings, model file hash, machine, governor, profile: `scheduler.db.speed.CONDITION_KEYS`).
`speed_alerts` flags a model whose figures come from more than one set of conditions.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from scheduler.db.speed import CONDITION_KEYS, probes_of, sweep_generations
from scheduler.reports.cells import EMPTY as DASH
from scheduler.reports.cells import number as fmt_number
from scheduler.reports.tables import Table
from scheduler.stats.summary import ModelExamStats


@dataclass(frozen=True)
class SpeedFigures:
    """What a sweep's speed tables are drawn from (`read_speed_figures`)."""

    probes: list[dict[str, Any]]  # speed_probes rows of the sweep's models
    generations: list[dict[str, Any]]  # the sweep's generations with their attempts' spans


def read_speed_figures(conn: Any, sweep: str, models: Sequence[str]) -> SpeedFigures:
    """The probes of `models` and the generations of `sweep`."""
    return SpeedFigures(probes_of(conn, models), sweep_generations(conn, sweep))


def conditions(provenance: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """The part of a provenance two speed figures must share, as a hashable key."""
    given = provenance or {}
    return tuple(
        (k, json.dumps(given[k], sort_keys=True) if not isinstance(given[k], str) else given[k])
        for k in CONDITION_KEYS
        if given.get(k) is not None
    )


def single_stream_tps(figures: SpeedFigures) -> dict[str, float]:
    """Model -> single-stream decode tok/s: the median of its probes, else the mean rate of its
    generations that ran alone (models with neither are left out)."""
    by_model: dict[str, list[float]] = {}
    for probe in figures.probes:
        by_model.setdefault(probe["model"], []).append(float(probe["decode_tps"]))
    speeds = {model: statistics.median(rates) for model, rates in by_model.items()}
    alone: dict[str, list[float]] = {}
    for g in figures.generations:
        # concurrency unknown: stored before it was counted, or imported; both ran one at a time
        # then (a GPU worker had one slot before migration 009, the article's runs used -np 1)
        if g["model"] not in speeds and g["concurrency"] in (1, None) and g["decode_tps"]:
            alone.setdefault(g["model"], []).append(float(g["decode_tps"]))
    return speeds | {model: statistics.fmean(rates) for model, rates in alone.items()}


def with_single_stream(stats: Sequence[ModelExamStats], figures: SpeedFigures) -> list[ModelExamStats]:
    """The stats with `decode_tps` the model's single-stream figure: its probes' where it has any;
    for a model whose generations all ran alone, their own mean on the exam as before; otherwise
    the mean of those that ran alone (None if none did)."""
    speeds = single_stream_tps(figures)
    probed = {p["model"] for p in figures.probes}
    crowded = {g["model"] for g in figures.generations if (g["concurrency"] or 1) > 1}
    return [replace(s, decode_tps=speeds.get(s.model)) if s.model in probed | crowded else s for s in stats]


def probe_table(figures: SpeedFigures) -> Table:
    """Single-stream speed per model, machine and conditions, with the conditions spelled out."""
    groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
    for p in figures.probes:
        groups.setdefault((p["model"], p["host"], conditions(p["provenance"])), []).append(p)
    rows = []
    for (model, host, _), probes in groups.items():
        prov = probes[-1]["provenance"] or {}
        runs = [float(r) for p in probes for r in p["decode_runs"]]
        rows.append([
            model,
            host,
            fmt_number(statistics.median(float(p["decode_tps"]) for p in probes)),
            f"{len(probes)} ({len(runs)} runs, {fmt_number(min(runs))} to {fmt_number(max(runs))})",
            str(prov.get("build_info") or DASH),
            f"{prov.get('total_slots', DASH)} / {prov.get('n_ctx', DASH)}",
            _settings_text(prov.get("settings")),
            " / ".join(str(prov[k]) for k in ("cpu", "gpu") if prov.get(k)) or DASH,
            " / ".join(str(prov[k]) for k in ("cpu_governor", "platform_profile") if prov.get(k)) or DASH,
            str(prov.get("model_sha256") or DASH)[:12],
        ])  # fmt: skip
    notes = [
        (
            "Single-stream decode tok/s: the median of speed probes, a fixed prompt decoded alone on the "
            "machine (worker/speed_probe.py) when it loaded the model and after busy periods. The Decode "
            "tok/s of every other table and the Pareto fronts use this figure (or, for a model never "
            "probed, its generations that ran alone); rates measured beside other generations are in "
            "the per-stream table, never averaged into it."
        ),
        "A model with more than one row was measured under different conditions: compare rows, not models.",
    ]
    columns = ["Model", "Machine", "Single-stream tok/s", "Probes", "Build", "Slots / ctx", "Settings",
               "CPU / GPU", "Governor / profile", "GGUF sha256"]  # fmt: skip
    return Table(
        "speed-probes", "Single-stream speed (speed probes) and its conditions", columns, rows, notes
    )


@dataclass(frozen=True)
class Throughput:
    """One machine on one model, all its streams together."""

    worker: str
    model: str
    generations: int
    most_at_once: int
    busy_s: float  # seconds at least one of its generations ran
    tokens_per_s: float | None  # completion tokens of all streams per busy second
    jobs_per_hour: float | None


def throughputs(figures: SpeedFigures) -> list[Throughput]:
    """Aggregate throughput per (worker, model), from the finished generations' attempts."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in figures.generations:
        if g["finished_at"] is not None and g["worker_name"] is not None:
            groups.setdefault((str(g["worker_name"]), g["model"]), []).append(g)
    result = []
    for (worker, model), gens in sorted(groups.items()):
        busy_s = busy_seconds((g["started_at"], g["finished_at"]) for g in gens)
        tokens = sum(g["completion_tokens"] or 0 for g in gens)
        most = max((g["concurrency"] or 1 for g in gens), default=1)
        tps, jph = (tokens / busy_s, 3600 * len(gens) / busy_s) if busy_s else (None, None)
        result.append(Throughput(worker, model, len(gens), most, busy_s, tps, jph))
    return result


def speed_status_lines(figures: SpeedFigures) -> list[str]:
    """`scheduler status` lines: each machine's aggregate throughput, its single-stream figure apart."""
    single = single_stream_tps(figures)
    lines = []
    for t in throughputs(figures):
        alone = f"{single[t.model]:.1f} tok/s" if t.model in single else "not measured"
        lines.append(
            f"throughput {t.worker} {t.model}: {fmt_number(t.tokens_per_s)} tok/s over all streams,"
            f" {fmt_number(t.jobs_per_hour)} jobs/h, up to {t.most_at_once} at once; single-stream {alone}"
        )
    return lines


def throughput_table(figures: SpeedFigures) -> Table:
    """Aggregate throughput of each machine on each model: all streams together."""
    rows = [
        [t.worker, t.model, str(t.generations), str(t.most_at_once), fmt_number(t.busy_s, 0),
         fmt_number(t.tokens_per_s), fmt_number(t.jobs_per_hour)]
        for t in throughputs(figures)
    ]  # fmt: skip
    notes = [
        (
            "Aggregate tok/s: completion tokens of all the machine's generations of the model divided by "
            "the seconds at least one of them ran (the union of their attempts, prompt and retries "
            "included); Jobs/hour likewise. A throughput figure, not a model's speed: it grows with "
            "the slots in use while each stream slows."
        ),
    ]
    columns = ["Machine", "Model", "Generations", "Most at once", "Busy s", "Aggregate tok/s", "Jobs/hour"]
    return Table("throughput", "Throughput per machine (all streams together)", columns, rows, notes)


def concurrency_table(figures: SpeedFigures) -> Table:
    """Per-stream decode rates grouped by how many generations ran at once."""
    groups: dict[tuple[str, str, int | None], list[float]] = {}
    sources = set()
    for g in figures.generations:
        if g["decode_tps"]:
            key = (g["model"], str(g["worker_name"] or DASH), g["concurrency"])
            groups.setdefault(key, []).append(float(g["decode_tps"]))
            sources.add(g["concurrency_source"])
    rows = [
        [model, worker, DASH if n is None else str(n), str(len(rates)), fmt_number(statistics.fmean(rates))]
        for (model, worker, n), rates in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0))
    ]  # fmt: skip
    notes = [
        (
            "At once: the most generations of the same worker that ran while this one did, itself "
            f"included (counted from {', '.join(sorted(str(s) for s in sources if s)) or 'attempts'}: "
            "an attempt runs from its claim to its stored result); a dash: recorded before it was counted."
        ),
    ]
    columns = ["Model", "Machine", "At once", "Generations", "Decode tok/s per stream"]
    return Table("speed-concurrency", "Decode per stream, by generations at once", columns, rows, notes)


def speed_tables(figures: SpeedFigures) -> list[Table]:
    """The three speed tables of a report, and the alerts as a table when there are any."""
    tables = [probe_table(figures), throughput_table(figures), concurrency_table(figures)]
    alerts = speed_alerts(figures)
    if alerts:
        tables.append(Table("speed-alerts", "Speed figures not comparable", ["Alert"], [[a] for a in alerts]))
    return tables


def speed_alerts(figures: SpeedFigures) -> list[str]:
    """One line per (model, machine) whose speed figures (its probes, and its generations' server
    provenance) come from more than one build, slot count, setting, model file, CPU governor or
    platform profile."""
    seen: dict[tuple[str, str], dict[str, set[str]]] = {}
    rows = [(p["model"], p["worker_name"], p["provenance"]) for p in figures.probes]
    rows += [(g["model"], g["worker_name"], g["server_info"]) for g in figures.generations]
    for model, worker, provenance in rows:
        for key, value in conditions(provenance):
            seen.setdefault((model, str(worker)), {}).setdefault(key, set()).add(value)
    lines = []
    for (model, worker), keys in sorted(seen.items()):
        drift = {k: v for k, v in keys.items() if len(v) > 1}
        if drift:
            detail = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(drift.items()))
            lines.append(
                f"model {model} on {worker}: speed figures measured under more than one condition ({detail})"
            )
    return lines


def busy_seconds(spans: Iterable[tuple[Any, Any]]) -> float:
    """Seconds covered by the union of (start, end) datetimes."""
    total = 0.0
    end: Any = None
    start: Any = None
    for s, e in sorted(spans):
        if end is None or s > end:
            if end is not None:
                total += (end - start).total_seconds()
            start, end = s, e
        elif e > end:
            end = e
    if end is not None:
        total += (end - start).total_seconds()
    return total


def _settings_text(settings: Any) -> str:
    if not isinstance(settings, Mapping) or not settings:
        return DASH
    return ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
