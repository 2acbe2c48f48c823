"""Model pauses: a model's queue held by the infrastructure tripwire until an operator resumes it.

A pause is in force while its row has no `resumed_at` (at most one per model, a unique partial
index). Rows stay after a resume, so the tripwire can count only the jobs finished since then.
"""

from __future__ import annotations

from typing import Any

from scheduler.db.vocabulary import JobState

_IN_FORCE = "resumed_at IS NULL"


def pauses_in_force(conn: Any) -> list[dict[str, Any]]:
    """Every pause in force, oldest first: model, sweep, cause, paused_at."""
    return list(
        conn.execute(
            f"SELECT model, sweep, cause, paused_at FROM model_pauses WHERE {_IN_FORCE} ORDER BY paused_at, model"
        ).fetchall()
    )


def record_pause(conn: Any, model: str, sweep: str, cause: str) -> bool:
    """Pause a model; False when a pause of it is already in force."""
    row = conn.execute(
        "INSERT INTO model_pauses (model, sweep, cause) VALUES (%s, %s, %s)"
        f" ON CONFLICT (model) WHERE {_IN_FORCE} DO NOTHING RETURNING id",
        (model, sweep, cause),
    ).fetchone()
    return row is not None


def resume_model(conn: Any, model: str) -> bool:
    """Lift a model's pause; False when it is not paused."""
    row = conn.execute(
        f"UPDATE model_pauses SET resumed_at = now() WHERE model = %s AND {_IN_FORCE} RETURNING id", (model,)
    ).fetchone()
    return row is not None


def first_verdicts_since_resume(conn: Any, sweep: str, first: int) -> dict[str, list[str]]:
    """Per model of the sweep not paused now: the verdicts of its first `first` finished jobs of the
    sweep, in finishing order, counting only jobs finished after the model's last resume."""
    rows = conn.execute(
        "SELECT model, verdict FROM ("
        "  SELECT j.model, j.verdict, row_number() OVER (PARTITION BY j.model ORDER BY j.finished_at, j.id) AS n"
        "  FROM jobs j"
        "  LEFT JOIN (SELECT model, max(resumed_at) AS at FROM model_pauses GROUP BY model) r ON r.model = j.model"
        f"  WHERE j.sweep = %s AND j.state = '{JobState.DONE}' AND j.verdict IS NOT NULL"
        "    AND (r.at IS NULL OR j.finished_at > r.at)"
        f"    AND NOT EXISTS (SELECT 1 FROM model_pauses p WHERE p.model = j.model AND p.{_IN_FORCE})"
        ") firsts WHERE n <= %s ORDER BY model, n",
        (sweep, first),
    ).fetchall()
    verdicts: dict[str, list[str]] = {}
    for r in rows:
        verdicts.setdefault(r["model"], []).append(r["verdict"])
    return verdicts
