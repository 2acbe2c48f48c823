"""The fleet's rows: workers announcing themselves, and the running attempts the GPU dispatch reads.

A worker writes its `workers` row when it is ready, refreshes `last_seen_at` on Celery's heartbeat
and marks itself stopped when it shuts down (`worker/announce.py`). The dispatch (`worker/dispatch/controller.py`)
asks which Celery tasks a machine was running, and for how long, by the attempts' node names.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from scheduler.core.settings import Settings, get_settings
from scheduler.db import connect, get_pool, transaction
from scheduler.db.vocabulary import AttemptState, WorkerState


def announce_worker(
    name: str, role: str, served_models: list[str], info: dict[str, Any], settings: Settings | None = None
) -> None:
    """Insert or refresh the row of the Celery node `name`, on this machine (WORKER_HOST)."""
    settings = settings or get_settings()
    with connect(settings) as conn:
        conn.execute(
            "INSERT INTO workers (name, host, role, served_models, info, started_at, last_seen_at)"
            " VALUES (%s, %s, %s, %s, %s, now(), now())"
            " ON CONFLICT (name) DO UPDATE SET host = EXCLUDED.host, role = EXCLUDED.role,"
            "  served_models = EXCLUDED.served_models, info = EXCLUDED.info,"
            "  started_at = now(), last_seen_at = now()",
            (name, settings.worker_host, role, served_models, Jsonb(info)),
        )


def mark_worker_seen(name: str, *, stopped: bool = False) -> None:
    """Refresh the worker's `last_seen_at` (and with `stopped`, record a clean stop)."""
    with connect() as conn:
        conn.execute(
            "UPDATE workers SET last_seen_at = now(),"
            " info = CASE WHEN %s THEN info || jsonb_build_object('state', %s::text) ELSE info END"
            " WHERE name = %s",
            (stopped, WorkerState.STOPPED, name),
        )


def record_loaded_model(name: str, model: str | None) -> None:
    """Write the model a GPU worker's llama-swap holds now (None: none loaded)."""
    with transaction() as conn:
        conn.execute("UPDATE workers SET loaded_model = %s WHERE name = %s", (model, name))


def announced_workers(names: list[str], *, seen_within_s: float = 300) -> set[str]:
    """Those of the Celery nodes `names` that are running and were seen within `seen_within_s`."""
    with connect() as conn:
        rows = conn.execute(
            "SELECT name FROM workers WHERE name = ANY(%s) AND info->>'state' = %s"
            " AND last_seen_at > now() - make_interval(secs => %s)",
            (names, WorkerState.RUNNING, seen_within_s),
        ).fetchall()
    return {str(r["name"]) for r in rows}


def running_task_ids(nodes: list[str]) -> set[str]:
    """The Celery task ids of the attempts running on these Celery nodes."""
    with get_pool().connection() as conn:
        rows = conn.execute(
            "SELECT task_id FROM attempts WHERE state = %s AND worker_name = ANY(%s)",
            (AttemptState.RUNNING, nodes),
        ).fetchall()
    return {str(r["task_id"]) for r in rows if r["task_id"]}


def running_attempts_elapsed_s() -> dict[str, float]:
    """Seconds each Celery node's running attempt has been going (Postgres's clock), by node."""
    with get_pool().connection() as conn:
        rows = conn.execute(
            "SELECT worker_name, extract(epoch FROM now() - started_at) AS elapsed_s FROM attempts"
            " WHERE state = %s AND worker_name IS NOT NULL",
            (AttemptState.RUNNING,),
        ).fetchall()
    return {str(r["worker_name"]): float(r["elapsed_s"]) for r in rows}
