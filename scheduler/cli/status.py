"""Live progress of a sweep (or of everything): jobs per state, per machine, the model each GPU
machine holds, throughput and an ETA from measured rates, and the jobs that are stuck with what
will happen to them. A progress bar in a terminal, plain lines at a steady interval otherwise;
`watch()` is also what `submit --wait` shows.

What is shown is what was observed, never assumed:
- `running` on a machine counts the jobs it holds under a live lease (a dead worker's expired
  claim is not running: it is listed as orphaned, with what the reconciler will do with it);
- the rate is jobs finished per hour over the observed window: the last `RATE_WINDOW_S`, or
  since the sweep's first attempt in it when the sweep is younger; the ETA is the remaining jobs
  at that rate. No job finished yet, or none for `STALL_FACTOR` times the mean interval between
  finishes (and at least `STALL_MIN_S`), means no rate worth extrapolating: no ETA, and the
  status says so;
- paused models (the infrastructure tripwire, `scheduler/fleet/pauses.py`), each with its cause and
  the command that resumes it;
- stuck jobs: claims whose lease expired (their worker is gone), and jobs the reconciler's last
  pass found without a message (the reconciler acts on them at its next pass); if no reconciler
  has passed for three intervals, no worker is running and nothing moves until one starts.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from scheduler.cli.progress import HEARTBEAT_S, ProgressLines
from scheduler.core.errors import UnknownSweepError
from scheduler.core.settings import Settings
from scheduler.db import connect, progress
from scheduler.db.pauses import pauses_in_force
from scheduler.db.recovery import last_pass, live_claims_per_worker, orphaned_claims
from scheduler.db.vocabulary import AttemptState, JobState, WorkerRole
from scheduler.fleet.adaptive import status_lines
from scheduler.fleet.pauses import resume_hint
from scheduler.fleet.tripwires import tripped
from scheduler.reports import cells
from scheduler.reports.speed import read_speed_figures, speed_alerts, speed_status_lines
from scheduler.results.runs import load_runs

RATE_WINDOW_S = 900  # throughput is measured over at most the last 15 minutes
STALL_FACTOR = 3.0
STALL_MIN_S = 120.0
RECONCILER_MISSED_PASSES = 3  # a reconciler this many intervals late is not running
SILENT_AFTER_S = 120  # a worker refreshes its row every 15 s; this long without one, it is silent


@dataclass
class Machine:
    """One worker as the status shows it."""

    name: str
    role: str
    host: str
    loaded_model: str | None
    served_models: list[str]
    running: int  # jobs of this sweep it holds under a live lease now
    finished: int  # attempts of this sweep finished there
    last_seen_s: float
    state: str | None = None  # WorkerState: running, or stopped after a clean shutdown

    @property
    def condition(self) -> str:
        """`stopped 23m ago`, `silent for 23m`, or "" while it reports in."""
        return cells.worker_state(self.state, self.last_seen_s, SILENT_AFTER_S)


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
    window_s: float | None = None  # the observed window the rate is measured over
    jobs_per_hour: float | None = None
    last_finish_s: float | None = None  # seconds since the last job finished
    eta_s: float | None = None
    no_eta: str | None = None  # why there is no ETA
    orphaned: list[dict[str, Any]] = field(default_factory=list)  # expired claims (job_id, state, worker)
    unsent: int = 0  # jobs the reconciler's last pass found with no message in flight
    recovery: str = ""  # what will happen to the stuck jobs
    paused: list[dict[str, Any]] = field(
        default_factory=list
    )  # models paused now: model, sweep, cause, since

    @property
    def done(self) -> int:
        """Jobs finished."""
        return self.states.get(JobState.DONE, 0)

    def to_json(self) -> dict[str, Any]:
        """The `status --json` object."""
        return {**asdict(self), JobState.DONE.value: self.done}


def collect(conn: Any, sweep: str | None = None) -> Snapshot:
    """Read the status from Postgres; UnknownSweepError for a sweep that does not exist."""
    if sweep and not progress.sweep_exists(conn, sweep):
        conn.rollback()
        raise UnknownSweepError(
            f"no sweep {sweep!r} in the database (see `scheduler sweeps`, then submit it)"
        )
    states = progress.job_state_counts(conn, sweep)
    snap = Snapshot(
        sweep,
        datetime.now(UTC).isoformat(timespec="seconds"),
        sum(states.values()),
        {str(s): states.get(s, 0) for s in JobState},
        progress.job_verdict_counts(conn, sweep),
        _machines(conn, sweep),
    )
    _rate(conn, snap)
    _stuck(conn, snap)
    snap.paused = [
        {
            "model": p["model"],
            "sweep": p["sweep"],
            "cause": p["cause"],
            "since": p["paused_at"].isoformat(timespec="seconds"),
        }
        for p in pauses_in_force(conn)
    ]
    conn.rollback()
    return snap


def _rate(conn: Any, snap: Snapshot) -> None:
    """Jobs per hour over the observed window, the ETA at that rate, or why there is none."""
    row = progress.observed_rate(conn, snap.sweep, RATE_WINDOW_S)
    snap.window_s, snap.done_in_window, snap.last_finish_s = row["window_s"], int(row["n"]), row["last_s"]
    remaining = snap.total - snap.done
    if remaining == 0:
        snap.eta_s = 0.0
        return
    if not snap.done_in_window:
        snap.no_eta = (
            "no job finished yet"
            if snap.last_finish_s is None
            else (
                f"no job finished in the last {_duration(min(snap.window_s or RATE_WINDOW_S, RATE_WINDOW_S))}"
            )
        )
        return
    window_s = max(float(snap.window_s or 0.0), 1.0)
    snap.jobs_per_hour = snap.done_in_window * 3600.0 / window_s
    interval_s = window_s / snap.done_in_window
    if (snap.last_finish_s or 0.0) > max(STALL_MIN_S, STALL_FACTOR * interval_s):
        snap.no_eta = (
            f"nothing finished for {_duration(snap.last_finish_s)} "
            f"(one job every {_duration(interval_s)} before)"
        )
        return
    snap.eta_s = remaining / snap.jobs_per_hour * 3600.0


def _stuck(conn: Any, snap: Snapshot) -> None:
    """Expired claims and jobs without a message, and what the reconciler will do with them."""
    snap.orphaned = orphaned_claims(conn, snap.sweep)
    passed = last_pass(conn)
    if passed is not None:
        watched = set(passed["findings"].get("watched_jobs") or [])
        snap.unsent = progress.jobs_of_sweep(conn, snap.sweep, sorted(watched)) if watched else 0
    if not snap.orphaned and not snap.unsent:
        return
    if passed is None or passed["age_s"] > RECONCILER_MISSED_PASSES * passed["interval_s"]:
        since = "never" if passed is None else f"not for {_duration(passed['age_s'])}"
        snap.recovery = (
            f"no reconciler has run ({since}): no worker is running; these jobs move on "
            "when one starts (or `scheduler submit --requeue`)"
        )
        return
    interval_s = float(passed["interval_s"])
    snap.recovery = (
        f"the reconciler (led by {passed['leader']}, every {interval_s:g} s) re-sends their "
        f"messages within {_duration(2 * interval_s)}"
    )


def _machines(conn: Any, sweep: str | None) -> list[Machine]:
    counts = progress.attempt_counts(conn, sweep)
    graded = progress.grade_counts(conn, sweep)
    live = live_claims_per_worker(conn, sweep)
    machines = []
    for w in progress.worker_rows(conn):
        running = live.get(w["name"], 0)
        finished = sum(counts.get((w[k], AttemptState.FINISHED), 0) for k in ("name", "host"))
        if w["role"] == WorkerRole.CPU:
            finished = graded.get(w["name"], 0) + graded.get(w["host"], 0)
        machines.append(
            Machine(
                w["name"],
                w["role"],
                w["host"],
                w["loaded_model"],
                list(w["served_models"]),
                running,
                finished,
                w["age"],
                w["state"],
            )
        )
    return machines


def _duration(seconds: float | None) -> str:
    return "unknown" if seconds is None else cells.duration(seconds)


def plain_lines(snap: Snapshot) -> list[str]:
    """The status as plain text lines (logs, pipes, CI)."""
    states = " ".join(f"{s}={n}" for s, n in snap.states.items() if n)
    if snap.eta_s is not None:
        rate = f"{snap.jobs_per_hour:.1f} jobs/h; " if snap.jobs_per_hour else ""
        progress = f"{rate}ETA {_duration(snap.eta_s)}"
    else:
        progress = f"no ETA: {snap.no_eta}"
    lines = [
        (f"{snap.sweep or 'all sweeps'}: {snap.done}/{snap.total} done ({states or 'no jobs'}); {progress}")
    ]
    if snap.verdicts:
        lines.append("verdicts: " + " ".join(f"{v}={n}" for v, n in sorted(snap.verdicts.items())))
    if snap.orphaned or snap.unsent:
        parts = [f"{len(snap.orphaned)} claim(s) of lost workers"] if snap.orphaned else []
        parts += [f"{snap.unsent} job(s) without a message"] if snap.unsent else []
        lines.append(f"stuck: {', '.join(parts)}; {snap.recovery}")
        for claim in snap.orphaned[:5]:
            lines.append(
                f"  job {claim['job_id']} {claim['state']} by {claim['worker'] or '?'}: "
                f"lease expired {_duration(claim['expired_s'])} ago"
            )
    for p in snap.paused:
        lines.append(
            f"paused: model {p['model']} since {p['since']} (sweep {p['sweep'] or '?'}): "
            f"{p['cause']}; its jobs stay queued; {resume_hint(p['model'])}"
        )
    for m in snap.machines:
        model = f" model={cells.text(m.loaded_model)}" if m.role == WorkerRole.GPU else ""
        condition = f" ({m.condition})" if m.condition else ""
        lines.append(f"  {m.role} {m.name}{model} running={m.running} finished={m.finished}{condition}")
    return lines


def _rich_view(snap: Snapshot) -> Any:
    from rich.console import Group
    from rich.progress import BarColumn, Progress, TextColumn
    from rich.table import Table

    eta = f"ETA {_duration(snap.eta_s)}" if snap.eta_s is not None else "no ETA"
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn(eta),
    )
    bar.add_task(snap.sweep or "all sweeps", total=max(snap.total, 1), completed=snap.done)
    table = Table("role", "worker", "model", "running", "finished", "state")
    for m in snap.machines:
        table.add_row(
            m.role,
            m.name,
            cells.text(m.loaded_model),
            str(m.running),
            str(m.finished),
            m.condition or "running",
        )
    return Group(bar, *[line for line in plain_lines(snap) if not line.startswith("  ")], table)


def show(
    settings: Settings, sweep: str | None, *, as_json: bool = False, out: TextIO | None = None
) -> Snapshot:
    """Print the status once."""
    out = out or sys.stdout
    with connect(settings) as conn:
        snap = collect(conn, sweep)
        sweep_runs = load_runs(conn, sweep) if sweep else None
        models = sorted({r.model for r in sweep_runs.runs}) if sweep_runs else []
        figures = read_speed_figures(conn, sweep, models) if sweep else None
    alerts = (tripped(sweep_runs) if sweep_runs else []) + (speed_alerts(figures) if figures else [])
    adaptive = (status_lines(sweep_runs) if sweep_runs else []) + (
        speed_status_lines(figures) if figures else []
    )
    if as_json:
        out.write(json.dumps({**snap.to_json(), "tripwires": alerts, "adaptive": adaptive}, indent=2) + "\n")
    elif out.isatty():
        from rich.console import Console

        Console(file=out).print(_rich_view(snap), *[f"tripwire: {a}" for a in alerts], *adaptive)
    else:
        out.write("\n".join(plain_lines(snap) + [f"tripwire: {a}" for a in alerts] + adaptive) + "\n")
    return snap


def watch(
    settings: Settings,
    sweep: str | None = None,
    *,
    interval_s: float = 2.0,
    until_done: bool = True,
    timeout_s: float | None = None,
    out: TextIO | None = None,
    heartbeat_s: float = HEARTBEAT_S,
) -> Snapshot:
    """Show live progress until every job is done (or `timeout_s` passes); return the last snapshot.

    A live view in a terminal; otherwise plain lines on each change and the summary line at least
    every `heartbeat_s` seconds (scheduler/cli/progress.py).
    """
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
        progress = ProgressLines(out, heartbeat_s)
        while True:
            snap = collect(conn, sweep)
            progress.update(plain_lines(snap))
            if _finished(snap, until_done, deadline):
                return snap
            time.sleep(interval_s)


def _finished(snap: Snapshot, until_done: bool, deadline: float | None) -> bool:
    if deadline is not None and time.monotonic() >= deadline:
        return True
    return until_done and snap.total > 0 and snap.done == snap.total
