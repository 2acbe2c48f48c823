"""What the status view counts: jobs per state and verdict, recent throughput, and each worker's
attempts and grades. Every function runs in the caller's connection; `sweep=None` counts all sweeps.
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
    rows = conn.execute("SELECT state, count(*) AS n FROM jobs j" + where + " GROUP BY state", args).fetchall()
    return {r["state"]: r["n"] for r in rows}


def job_verdict_counts(conn: Any, sweep: str | None) -> dict[str, int]:
    """Jobs per verdict (finished jobs only)."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT verdict, count(*) AS n FROM jobs j" + _and(where) + " verdict IS NOT NULL GROUP BY verdict", args
    ).fetchall()
    return {r["verdict"]: r["n"] for r in rows}


def finished_within(conn: Any, sweep: str | None, window_s: float) -> int:
    """Jobs finished in the last `window_s` seconds (the database's clock)."""
    where, args = _where(sweep)
    row = conn.execute(
        "SELECT count(*) AS n FROM jobs j" + _and(where) + " finished_at > now() - make_interval(secs => %s)",
        (*args, window_s),
    ).fetchone()
    return int(row["n"])


def mean_generation_s(conn: Any, sweep: str | None) -> float | None:
    """The mean wall time of the stored generations, in seconds."""
    where, args = _where(sweep)
    row = conn.execute(
        "SELECT avg(g.wall_s) AS s FROM generations g JOIN jobs j ON j.id = g.job_id" + where, args
    ).fetchone()
    return None if row["s"] is None else float(row["s"])


def attempt_counts(conn: Any, sweep: str | None) -> dict[tuple[str, str], int]:
    """Attempts per (worker_host, attempt state)."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT a.worker_host AS host, a.state, count(*) AS n FROM attempts a JOIN jobs j ON j.id = a.job_id"
        + where + " GROUP BY 1, 2", args).fetchall()
    return {(r["host"], r["state"]): r["n"] for r in rows}


def grade_counts(conn: Any, sweep: str | None) -> dict[str, int]:
    """Grades per grader host."""
    where, args = _where(sweep)
    rows = conn.execute(
        "SELECT gr.grader_host AS host, count(*) AS n FROM grades gr JOIN generations g ON g.id = gr.generation_id"
        " JOIN jobs j ON j.id = g.job_id" + where + " GROUP BY 1", args).fetchall()
    return {r["host"]: r["n"] for r in rows}


def worker_rows(conn: Any) -> list[dict[str, Any]]:
    """Every announced worker: name, host, pool, served_models, loaded_model, and `age` (seconds
    since it was last seen)."""
    return list(conn.execute(
        "SELECT name, host, pool, served_models, loaded_model,"
        " extract(epoch FROM now() - last_seen_at)::float8 AS age FROM workers ORDER BY pool DESC, name"
    ).fetchall())
