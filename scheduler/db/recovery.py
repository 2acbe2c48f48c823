"""The reconciler's SQL: which jobs need a message to make progress, leadership, and its last pass.

A job needs progress when nothing holds it: `queued` (a generate message must exist), `generated`
(a grade message must exist), or `generating` / `grading` under a lease that expired (its worker
is gone; the job's message must go back on a queue so another worker takes it over).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from scheduler.db.vocabulary import JobState

_CLAIMED = f"('{JobState.GENERATING}', '{JobState.GRADING}')"  # the states held under a lease
# Any constant unique to the reconciler: "qsrecon" as ASCII bytes (the migrations use "qsweep").
LEADER_LOCK_KEY = 0x71737265636F6E


@dataclass(frozen=True)
class Unheld:
    """A job that needs a message to move on, and no live worker holds it."""

    job_id: int
    model: str
    state: str  # queued | generated | generating | grading
    stage: str  # the task that moves it on: generate | grade
    lease_expired_s: float | None  # for a claim: seconds since its lease expired


def take_leadership(conn: Any) -> bool:
    """Try to become the one reconciler; held for as long as this (dedicated) connection lives."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s) AS held", (LEADER_LOCK_KEY,)).fetchone()
    return bool(row["held"])


def database_uptime_s(conn: Any) -> float:
    """Seconds since the Postgres server started (a restart interrupts every lease renewal)."""
    row = conn.execute(
        "SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS s"
    ).fetchone()
    return float(row["s"])


def unheld_jobs(conn: Any) -> list[Unheld]:
    """Every job waiting for a message or held by an expired lease, oldest change first."""
    rows = conn.execute(
        f"SELECT id, model, state, CASE WHEN state IN {_CLAIMED}"
        "  THEN coalesce(extract(epoch FROM now() - lease_expires_at)::float8, 0) END AS expired_s"
        f" FROM jobs WHERE state IN ('{JobState.QUEUED}', '{JobState.GENERATED}')"
        f"  OR (state IN {_CLAIMED} AND (lease_expires_at IS NULL OR lease_expires_at < now()))"
        " ORDER BY updated_at, id"
    ).fetchall()
    return [Unheld(r["id"], r["model"], r["state"], _stage(r["state"]), r["expired_s"]) for r in rows]


def _stage(state: str) -> str:
    """The task that moves a job in `state` on."""
    return "generate" if state in (JobState.QUEUED, JobState.GENERATING) else "grade"


def record_pass(conn: Any, leader: str, interval_s: float, findings: dict[str, Any]) -> None:
    """Store what the last pass found and did."""
    conn.execute(
        "INSERT INTO reconciler (id, leader, at, interval_s, findings) VALUES (1, %s, now(), %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET leader = EXCLUDED.leader, at = EXCLUDED.at,"
        "  interval_s = EXCLUDED.interval_s, findings = EXCLUDED.findings",
        (leader, interval_s, Jsonb(findings)),
    )


def last_pass(conn: Any) -> dict[str, Any] | None:
    """The last pass: leader, seconds ago, interval and findings; None if no reconciler ever ran."""
    row = conn.execute(
        "SELECT leader, extract(epoch FROM now() - at)::float8 AS age_s, interval_s, findings FROM reconciler"
    ).fetchone()
    return None if row is None else dict(row)


def orphaned_claims(conn: Any, sweep: str | None, limit: int = 20) -> list[dict[str, Any]]:
    """Claims whose lease expired (their worker is gone): job id, state, worker, seconds since expiry."""
    rows = conn.execute(
        "SELECT id AS job_id, state, split_part(coalesce(lease_owner, ''), '#', 1) AS worker,"
        " coalesce(extract(epoch FROM now() - lease_expires_at)::float8, 0) AS expired_s"
        f" FROM jobs WHERE state IN {_CLAIMED}"
        "  AND (lease_expires_at IS NULL OR lease_expires_at < now()) AND (%(sweep)s::text IS NULL OR sweep = %(sweep)s)"
        " ORDER BY lease_expires_at NULLS FIRST, id LIMIT %(limit)s",
        {"sweep": sweep, "limit": limit},
    ).fetchall()
    return [dict(r) for r in rows]


def live_claims_per_worker(conn: Any, sweep: str | None) -> dict[str, int]:
    """Jobs each worker holds under a live lease (what it runs now), by Celery node name."""
    rows = conn.execute(
        "SELECT split_part(lease_owner, '#', 1) AS worker, count(*) AS n FROM jobs"
        f" WHERE state IN {_CLAIMED} AND lease_expires_at >= now()"
        "  AND (%(sweep)s::text IS NULL OR sweep = %(sweep)s) GROUP BY 1",
        {"sweep": sweep},
    ).fetchall()
    return {r["worker"]: int(r["n"]) for r in rows}
