"""The reconciler: Postgres decides what needs progress, the broker is only a hint.

Every `RECONCILE_INTERVAL_S` one reconciler in the fleet reads the jobs nothing holds
(`scheduler.db.recovery.unheld_jobs`: `queued`, `generated`, and claims whose lease expired),
reads what the broker holds for them (`scheduler.core.broker.scan`) and sends the one message that
moves each on:

    job                                   broker holds for its stage          action
    queued / generated                    a waiting message                   none
    queued / generated                    a delivered one, < STALE_DELIVERY_S  none (a worker has it)
    queued / generated                    only older delivered ones           put them back on their queue
    queued / generated                    nothing (lost with Redis, a send    send generate / grade
                                          that failed, a message acked away)
    generating / grading, lease expired   a waiting message                   none (its claim takes over)
    generating / grading, lease expired   delivered ones (the dead worker's)  put them back on their queue
    generating / grading, lease expired   nothing                             send generate / grade

An action is taken only when the same finding was made by the previous pass too (a message
moves from its queue to `unacked` in two Redis steps, and a worker stores a result before it
sends the next message: one pass can catch either half-way). So a job is moved on one to two
intervals after it became stuck; an expired lease is judged only once every worker had a full
lease to renew its own after the database came back (Postgres restarted less than JOB_LEASE_S
ago, or this reconciler lost its connection, means: wait). Every action is idempotent, as every
message is: a duplicate is refused by the job's claim.

Where it runs, and why: a duty of every worker (GPU and CPU), in a thread of the worker's main
process (`worker/reconciler.py`). One of them leads at a time, by a Postgres session advisory
lock on a connection of its own: when that worker dies, its connection closes and another
takes over at its next pass. Its own process would be one more thing to deploy and to lose
(and jobs would stay stuck while it is down); a Celery beat task would go through the broker
whose loss is one of the faults to survive, and beat is a single process too. Wherever a worker
runs, jobs can progress, so that is where the reconciler is needed; with no worker there is
nothing it could move.

Other periodic duties of the fleet (anything that must run once per interval, fleet-wide) are
handed to the reconciler explicitly, as arq hands `cron_jobs` to its `Worker`:
`Reconciler(settings, name, duties=FLEET_DUTIES)`; the leader calls each `duty(settings)` after
each pass, and a duty that raises is logged and does not stop the others. No registry is filled
at import. `FLEET_DUTIES`, what every worker runs (`worker/reconciler.py`): `advance_adaptive_sweeps`,
the next round of seeds for every adaptive sweep (`scheduler/fleet/adaptive.py`), so an adaptive sweep
goes on without an operator wherever a worker runs; and `pause_tripped_models`, which pauses the
queue of a model whose first jobs all ended in infrastructure verdicts (`scheduler/fleet/pauses.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scheduler.core import broker
from scheduler.core.errors import ServiceUnavailable
from scheduler.core.messages import BROKER_ERRORS, producer_app, publish_generate, publish_grade
from scheduler.core.settings import Settings
from scheduler.db import DATABASE_ERRORS, connect
from scheduler.db.recovery import Unheld, database_uptime_s, record_pass, take_leadership, unheld_jobs

log = logging.getLogger(__name__)

# A delivered message a live worker holds without claiming its job is one waiting for a retry
# countdown (worker/tasks.py: at most 30 s); older than this, its worker is gone.
STALE_DELIVERY_S = 120.0
WATCHED_SHOWN = 200  # job ids kept with a pass's findings, for `scheduler status`

# Redis away (or refusing us): the pass is skipped, the next one tries again.
PASS_SKIPPED: tuple[type[Exception], ...] = (ServiceUnavailable, *BROKER_ERRORS)

PeriodicDuty = Callable[[Settings], None]


@dataclass(frozen=True)
class Action:
    """What one job needs: `send` a new message, or `restore` delivered ones (by tag)."""

    job: Unheld
    kind: str  # send | restore
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, str, str]:
        """The finding, as compared between two passes."""
        return self.job.job_id, self.job.state, self.kind


def decide(job: Unheld, view: broker.BrokerView, *, judge_leases: bool) -> Action | None:
    """The action one job needs, given what the broker holds (see the module docstring's table)."""
    if view.has_waiting(job.stage, job.job_id):
        return None
    delivered = view.delivered_for(job.stage, job.job_id)
    if job.state in ("queued", "generated"):
        if any(d.age_s < STALE_DELIVERY_S for d in delivered):
            return None
    elif not judge_leases:
        return None
    if delivered:
        return Action(job, "restore", tuple(d.tag for d in delivered))
    return Action(job, "send")


class Reconciler:
    """One worker's reconciler: leads when it holds the lock, then moves stuck jobs on each pass."""

    def __init__(self, settings: Settings, name: str, duties: Sequence[PeriodicDuty] = ()) -> None:
        self.settings = settings
        self.name = name
        self.duties = tuple(duties)  # called by the leader after each pass, in this order
        self.interval_s = float(settings.reconcile_interval_s)
        self._conn: Any = None
        self._leading = False
        self._watched: set[tuple[int, str, str]] = set()
        # When this reconciler's database connection came back (None: it is away right now).
        self._database_back_at: float | None = time.monotonic() - settings.job_lease_s

    def run(self, stop: threading.Event) -> None:
        """Pass every interval until `stop` is set."""
        while not stop.wait(self.interval_s):
            try:
                self.step()
            except DATABASE_ERRORS as exc:
                log.warning("reconciler: pass skipped, the database is away: %s", exc)
                self._lose_connection()
            except PASS_SKIPPED as exc:
                log.warning("reconciler: pass skipped: %s", exc)
            except Exception:  # a bug: keep the worker, say so, try again next pass
                log.exception("reconciler: pass failed")

    def close(self) -> None:
        """Give leadership up (its lock goes with the connection)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._leading = False

    def step(self) -> dict[str, Any] | None:
        """One pass if this reconciler leads; returns its findings (None when another leads)."""
        conn = self._leader_connection()
        if conn is None:
            return None
        findings = self.reconcile(conn)
        record_pass(conn, self.name, self.interval_s, findings)
        for duty in self.duties:
            try:
                duty(self.settings)
            except Exception:
                log.exception("reconciler: periodic duty %s failed", getattr(duty, "__name__", duty))
        return findings

    def reconcile(self, conn: Any) -> dict[str, Any]:
        """Find the jobs nothing holds and act on those found so by the previous pass too."""
        jobs = unheld_jobs(conn)
        lease_s = self.settings.job_lease_s
        back_at = self._database_back_at
        judge_leases = (
            back_at is not None and time.monotonic() - back_at > lease_s and database_uptime_s(conn) > lease_s
        )
        findings: dict[str, Any] = {
            "unheld": len(jobs),
            "watched": 0,
            "watched_jobs": [],
            "sent": 0,
            "restored": 0,
        }
        if not jobs:
            self._watched = set()
            return findings
        app = producer_app(self.settings)
        try:
            view = broker.scan(app, {j.model for j in jobs if j.stage == "generate"})
            actions = [a for a in (decide(j, view, judge_leases=judge_leases) for j in jobs) if a is not None]
            due = [a for a in actions if a.key in self._watched]
            waiting = [a for a in actions if a.key not in self._watched]
            findings["watched"] = len(waiting)
            findings["watched_jobs"] = sorted(a.job.job_id for a in waiting)[:WATCHED_SHOWN]
            self._watched = {a.key for a in actions}
            findings["restored"] = broker.restore(
                app, [t for a in due if a.kind == "restore" for t in a.tags]
            )
        finally:
            app.close()
        sends = [a.job for a in due if a.kind == "send"]
        generate = [(j.job_id, j.model) for j in sends if j.stage == "generate"]
        grade = [j.job_id for j in sends if j.stage == "grade"]
        findings["sent"] = (publish_generate(self.settings, generate) if generate else 0) + (
            publish_grade(self.settings, grade) if grade else 0
        )
        for action in due:
            job = action.job
            log.warning("reconciler: job %s (%s): %s %s message", job.job_id, job.state,
                        "re-queued its delivered" if action.kind == "restore" else "sent a new", job.stage)  # fmt: skip
        return findings

    def _leader_connection(self) -> Any:
        if self._conn is None:
            try:
                self._conn = connect(self.settings, autocommit=True)
            except ServiceUnavailable:
                self._lose_connection()
                raise
            if self._database_back_at is None:
                self._database_back_at = time.monotonic()
        if not self._leading:
            self._leading = take_leadership(self._conn)
        return self._conn if self._leading else None

    def _lose_connection(self) -> None:
        """The database went away (or this connection did): leases go unrenewed meanwhile."""
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("reconciler: closing a broken connection failed", exc_info=True)
            self._conn = None
        self._leading = False
        self._watched = set()
        self._database_back_at = None


def advance_adaptive_sweeps(settings: Settings) -> None:
    """Add the next round of seeds to the open cells of every adaptive sweep (scheduler/fleet/adaptive.py)."""
    from scheduler.fleet.adaptive import advance  # the reports it reads are not needed by a pass

    for summary in advance(settings):
        if summary.added:
            log.info("reconciler: adaptive sweep %s: new seeds %s", summary.sweep, summary.added)


def pause_tripped_models(settings: Settings) -> None:
    """Pause the queue of every model that trips the infrastructure tripwire (scheduler/fleet/pauses.py)."""
    from scheduler.fleet.pauses import pause_tripped_models as pause  # reads the sweeps' tripwires

    pause(settings)


# What every worker's reconciler runs when it leads (worker/reconciler.py hands it over).
FLEET_DUTIES: tuple[PeriodicDuty, ...] = (advance_adaptive_sweeps, pause_tripped_models)
