"""Live progress of a sweep (or of everything): jobs per state, per machine, the model each GPU
machine holds, throughput and an ETA from measured rates. A progress bar in a terminal, plain lines
otherwise; `watch()` is also what `submit --wait` shows.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from scheduler.db import connect, progress
from scheduler.db.vocabulary import AttemptState, JobState, WorkerPool
from scheduler.settings import Settings

RATE_WINDOW_S = 900  # throughput is measured over the last 15 minutes


@dataclass
class Machine:
    """One worker as the status shows it."""

    name: str
    pool: str
    host: str
    loaded_model: str | None
    served_models: list[str]
    running: int  # attempts of this sweep running there now
    finished: int  # attempts of this sweep finished there
    last_seen_s: float


@dataclass
class Snapshot:
    """The status at one moment."""

    sweep: str | None
    at: str
    total: int
    states: dict[str, int]
    verdicts: dict[str, int]
    machines: list[Machine] = field(default_factory=list)
    done_in_window: int = 0
    jobs_per_hour: float | None = None
    mean_generation_s: float | None = None
    eta_s: float | None = None

    @property
    def done(self) -> int:
        """Jobs finished."""
        return self.states.get(JobState.DONE, 0)

    def to_json(self) -> dict[str, Any]:
        """The `status --json` object."""
        return {**asdict(self), JobState.DONE.value: self.done}


def collect(conn: Any, sweep: str | None = None) -> Snapshot:
    """Read the status from Postgres."""
    states = progress.job_state_counts(conn, sweep)
    total = sum(states.values())
    done_in_window = progress.finished_within(conn, sweep, RATE_WINDOW_S)
    snap = Snapshot(sweep, datetime.now(UTC).isoformat(timespec="seconds"), total,
                    {str(s): states.get(s, 0) for s in JobState}, progress.job_verdict_counts(conn, sweep),
                    _machines(conn, sweep), done_in_window=done_in_window,
                    mean_generation_s=progress.mean_generation_s(conn, sweep))
    remaining = total - snap.done
    if done_in_window:
        snap.jobs_per_hour = done_in_window * 3600.0 / RATE_WINDOW_S
    gpus = sum(1 for m in snap.machines if m.pool == WorkerPool.GPU and m.last_seen_s < 300) or 1
    if remaining == 0:
        snap.eta_s = 0.0
    elif snap.jobs_per_hour:
        snap.eta_s = remaining / snap.jobs_per_hour * 3600.0
    elif snap.mean_generation_s:
        snap.eta_s = remaining * snap.mean_generation_s / gpus
    conn.rollback()
    return snap


def _machines(conn: Any, sweep: str | None) -> list[Machine]:
    counts = progress.attempt_counts(conn, sweep)
    graded = progress.grade_counts(conn, sweep)
    machines = []
    for w in progress.worker_rows(conn):
        running = sum(counts.get((w[k], AttemptState.RUNNING), 0) for k in ("name", "host"))
        finished = sum(counts.get((w[k], AttemptState.FINISHED), 0) for k in ("name", "host"))
        if w["pool"] == WorkerPool.CPU:
            finished = graded.get(w["name"], 0) + graded.get(w["host"], 0)
        machines.append(Machine(w["name"], w["pool"], w["host"], w["loaded_model"], list(w["served_models"]),
                                running, finished, w["age"]))
    return machines


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def plain_lines(snap: Snapshot) -> list[str]:
    """The status as plain text lines (logs, pipes, CI)."""
    states = " ".join(f"{s}={n}" for s, n in snap.states.items() if n)
    rate = f"{snap.jobs_per_hour:.1f} jobs/h" if snap.jobs_per_hour else "no job finished in the last 15 min"
    lines = [(f"{snap.sweep or 'all sweeps'}: {snap.done}/{snap.total} done ({states or 'no jobs'}); "
             f"{rate}; ETA {_duration(snap.eta_s)}")]
    if snap.verdicts:
        lines.append("verdicts: " + " ".join(f"{v}={n}" for v, n in sorted(snap.verdicts.items())))
    for m in snap.machines:
        model = f" model={m.loaded_model or '-'}" if m.pool == WorkerPool.GPU else ""
        stale = f" (last seen {_duration(m.last_seen_s)} ago)" if m.last_seen_s > 120 else ""
        lines.append(f"  {m.pool} {m.name}{model} running={m.running} finished={m.finished}{stale}")
    return lines


def _rich_view(snap: Snapshot) -> Any:
    from rich.console import Group
    from rich.progress import BarColumn, Progress, TextColumn
    from rich.table import Table

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TextColumn("ETA " + _duration(snap.eta_s)))
    bar.add_task(snap.sweep or "all sweeps", total=max(snap.total, 1), completed=snap.done)
    table = Table("pool", "worker", "model", "running", "finished")
    for m in snap.machines:
        table.add_row(m.pool, m.name, m.loaded_model or "-", str(m.running), str(m.finished))
    return Group(bar, *plain_lines(snap)[:2], table)


def show(settings: Settings, sweep: str | None, *, as_json: bool = False, out: TextIO | None = None) -> Snapshot:
    """Print the status once."""
    out = out or sys.stdout
    with connect(settings) as conn:
        snap = collect(conn, sweep)
    if as_json:
        out.write(json.dumps(snap.to_json(), indent=2) + "\n")
    elif out.isatty():
        from rich.console import Console

        Console(file=out).print(_rich_view(snap))
    else:
        out.write("\n".join(plain_lines(snap)) + "\n")
    return snap


def watch(settings: Settings, sweep: str | None = None, *, interval_s: float = 2.0,
          until_done: bool = True, timeout_s: float | None = None, out: TextIO | None = None) -> Snapshot:
    """Show live progress until every job is done (or `timeout_s` passes); return the last snapshot."""
    out = out or sys.stdout
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    with connect(settings) as conn:
        if out.isatty():
            from rich.console import Console
            from rich.live import Live

            with Live(console=Console(file=out), refresh_per_second=2) as live:
                while True:
                    snap = collect(conn, sweep)
                    live.update(_rich_view(snap))
                    if _finished(snap, until_done, deadline):
                        return snap
                    time.sleep(interval_s)
        last = ""
        while True:
            snap = collect(conn, sweep)
            text = "\n".join(plain_lines(snap))
            if text != last:
                out.write(text + "\n")
                out.flush()
                last = text
            if _finished(snap, until_done, deadline):
                return snap
            time.sleep(interval_s)


def _finished(snap: Snapshot, until_done: bool, deadline: float | None) -> bool:
    if deadline is not None and time.monotonic() >= deadline:
        return True
    return until_done and snap.total > 0 and snap.done == snap.total
