"""Workers announce themselves in the `workers` table: host, pool, the models their llama-swap serves.

The scheduler's fleet view and the dispatch read it; Flower sees the same workers through
Celery's events. A worker writes its row when it is ready, refreshes `last_seen_at` on Celery's
heartbeat (at most every `SEEN_INTERVAL_S`), and marks itself stopped when it shuts down.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from celery import signals
from psycopg.types.json import Jsonb

from scheduler import db
from scheduler.settings import get_settings

log = logging.getLogger(__name__)

SEEN_INTERVAL_S = 15.0
_last_seen = {"at": 0.0}
_seen_lock = threading.Lock()


def announce(name: str, pool: str, served_models: list[str], info: dict[str, Any]) -> None:
    """Insert or refresh this worker's row."""
    settings = get_settings()
    with db.connect(settings) as conn:
        conn.execute(
            "INSERT INTO workers (name, host, pool, served_models, info, started_at, last_seen_at)"
            " VALUES (%s, %s, %s, %s, %s, now(), now())"
            " ON CONFLICT (name) DO UPDATE SET host = EXCLUDED.host, pool = EXCLUDED.pool,"
            "  served_models = EXCLUDED.served_models, info = EXCLUDED.info,"
            "  started_at = now(), last_seen_at = now()",
            (name, settings.worker_host, pool, served_models, Jsonb(info)),
        )


def mark_seen(name: str, *, stopped: bool = False) -> None:
    """Refresh `last_seen_at` (and record a clean stop)."""
    with db.connect() as conn:
        conn.execute(
            "UPDATE workers SET last_seen_at = now(),"
            ' info = CASE WHEN %s THEN info || \'{"state": "stopped"}\'::jsonb ELSE info END'
            " WHERE name = %s",
            (stopped, name),
        )


def record_loaded_model(name: str, model: str | None) -> None:
    """Write the model this worker's llama-swap holds now (None: none loaded)."""
    with db.transaction() as conn:
        conn.execute("UPDATE workers SET loaded_model = %s WHERE name = %s", (model, name))


def _role(sender: Any) -> dict[str, Any]:
    app = getattr(sender, "app", None)
    role = getattr(getattr(app, "conf", None), "quantsweep_role", None)
    return role if isinstance(role, dict) else {"pool": "cpu", "served_models": []}


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _on_ready(sender: Any = None, **_: Any) -> None:
    role = _role(sender)
    name = str(getattr(sender, "hostname", "") or get_settings().worker_host)
    queues = sorted(q.name for q in getattr(getattr(sender, "task_consumer", None), "queues", []) or [])
    info = {"state": "running", "pid": os.getpid(), "queues": queues, **role.get("info", {})}
    try:
        announce(name, role["pool"], list(role.get("served_models", [])), info)
    except Exception:  # the worker still works without its row; say so loudly
        log.exception("could not announce worker %s in Postgres", name)


@signals.heartbeat_sent.connect  # type: ignore[untyped-decorator]
def _on_heartbeat(sender: Any = None, **_: Any) -> None:
    now = time.monotonic()
    with _seen_lock:
        if now - _last_seen["at"] < SEEN_INTERVAL_S:
            return
        _last_seen["at"] = now
    name = str(getattr(getattr(sender, "eventer", None), "hostname", "") or "")
    if name:  # off the timer thread: a slow database must not delay Celery's own heartbeats
        threading.Thread(target=_refresh, args=(name,), daemon=True).start()


def _refresh(name: str) -> None:
    try:
        mark_seen(name)
    except Exception:
        log.warning("could not refresh worker %s in Postgres", name, exc_info=True)


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _on_shutdown(sender: Any = None, **_: Any) -> None:
    name = str(getattr(sender, "hostname", "") or "")
    try:
        if name:
            mark_seen(name, stopped=True)
    except Exception:
        log.warning("could not mark worker %s stopped", name, exc_info=True)
