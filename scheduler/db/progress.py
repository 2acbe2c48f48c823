"""What the status view counts: jobs per state and verdict, the observed throughput, and each
worker's attempts and grades. Every function runs in the caller's connection; `sweep=None` counts all sweeps.
"""

from __future__ import annotations

from typing import Any


def _where(sweep: str | None, alias: str = "j") -> tuple[str, tuple[Any, ...]]:
    return (f" WHERE {alias}.sweep = %s", (sweep,)) if sweep else ("", ())


def _and(where: str) -> str:
    return where + (" AND" if where else " WHERE")


def job_state_counts(conn: Any, sweep: str | None) -> dict[str, int]:
    """Jobs per state."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT state, count(*) AS n FROM jobs j" + where + " GROUP BY state", args
    ).fetchall()
    return {r["state"]: r["n"] for r in rows}


def job_verdict_counts(conn: Any, sweep: str | None) -> dict[str, int]:
    """Jobs per verdict (finished jobs only)."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT verdict, count(*) AS n FROM jobs j" + _and(where) + " verdict IS NOT NULL GROUP BY verdict",
        args,
    ).fetchall()
    return {r["verdict"]: r["n"] for r in rows}


def sweep_exists(conn: Any, sweep: str) -> bool:
    """A sweep of that name was submitted (or imported)."""
    return conn.execute("SELECT 1 FROM sweeps WHERE name = %s", (sweep,)).fetchone() is not None


def observed_rate(conn: Any, sweep: str | None, window_s: float) -> dict[str, Any]:
    """What the rate is measured on (the database's clock): `window_s`, the last `window_s` seconds
    or since the first attempt started in them when that is later; `n`, jobs finished since then;
    `last_s`, seconds since the last job finished (None: none ever). Only jobs a worker here ran
    (they have attempts) count: `import` and `import-article` finish jobs without running anything."""
    where, args = _where(sweep)
    ran = " EXISTS (SELECT 1 FROM attempts r WHERE r.job_id = j.id)"
    return dict(
        conn.execute(
            "WITH w AS (SELECT greatest(now() - make_interval(secs => %s),"
            "   (SELECT min(a.started_at) FROM attempts a JOIN jobs j ON j.id = a.job_id"
            + _and(where)
            + " a.started_at > now() - make_interval(secs => %s))) AS since)"
            " SELECT extract(epoch FROM now() - w.since)::float8 AS window_s,"
            " (SELECT count(*) FROM jobs j" + _and(where) + ran + " AND j.finished_at >= w.since) AS n,"
            " (SELECT extract(epoch FROM now() - max(j.finished_at))::float8 FROM jobs j"
            + _and(where)
            + ran
            + ") AS last_s"
            " FROM w",
            (window_s, *args, window_s, *args, *args),
        ).fetchone()
    )


def jobs_of_sweep(conn: Any, sweep: str | None, job_ids: list[int]) -> int:
    """How many of these jobs belong to the sweep (all of them for `sweep=None`)."""
    if sweep is None:
        return len(job_ids)
    row = conn.execute(
        "SELECT count(*) AS n FROM jobs WHERE sweep = %s AND id = ANY(%s)", (sweep, job_ids)
    ).fetchone()
    return int(row["n"])


def attempt_counts(conn: Any, sweep: str | None) -> dict[tuple[str, str], int]:
    """Attempts per (worker's Celery node name, attempt state)."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT a.worker_name, a.state, count(*) AS n FROM attempts a JOIN jobs j ON j.id = a.job_id"
        + where
        + " GROUP BY 1, 2",
        args,
    ).fetchall()
    return {(r["worker_name"], r["state"]): r["n"] for r in rows}


def grade_counts(conn: Any, sweep: str | None) -> dict[str, int]:
    """Grades per worker (the Celery node name that graded them)."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT gr.worker_name, count(*) AS n FROM grades gr JOIN generations g ON g.id = gr.generation_id"
        " JOIN jobs j ON j.id = g.job_id" + where + " GROUP BY 1",
        args,
    ).fetchall()
    return {r["worker_name"]: r["n"] for r in rows}


def worker_rows(conn: Any) -> list[dict[str, Any]]:
    """Every announced worker: name, host, role, served_models, loaded_model, `state` (WorkerState,
    None before its first announcement) and `age` (seconds since it was last seen)."""
    return list(
        conn.execute(
            "SELECT name, host, role, served_models, loaded_model, info->>'state' AS state,"
            " extract(epoch FROM now() - last_seen_at)::float8 AS age FROM workers ORDER BY role DESC, name"
        ).fetchall()
    )
