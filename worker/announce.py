"""Workers announce themselves in the `workers` table: host, role, the models their llama-swap serves.

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

from scheduler.core.settings import get_settings
from scheduler.db.vocabulary import WorkerRole, WorkerState
from scheduler.db.workers import announce_worker, mark_worker_seen

log = logging.getLogger(__name__)

SEEN_INTERVAL_S = 15.0
_last_seen = {"at": 0.0}
_seen_lock = threading.Lock()


def _worker_config(sender: Any) -> dict[str, Any]:
    app = getattr(sender, "app", None)
    config = getattr(getattr(app, "conf", None), "quantsweep_worker", None)
    return config if isinstance(config, dict) else {"role": WorkerRole.CPU, "served_models": []}


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _on_ready(sender: Any = None, **_: Any) -> None:
    config = _worker_config(sender)
    name = str(getattr(sender, "hostname", "") or get_settings().worker_host)
    queues = sorted(q.name for q in getattr(getattr(sender, "task_consumer", None), "queues", []) or [])
    info = {"state": WorkerState.RUNNING, "pid": os.getpid(), "queues": queues, **config.get("info", {})}
    try:
        announce_worker(name, config["role"], list(config.get("served_models", [])), info)
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
        mark_worker_seen(name)
    except Exception:
        log.warning("could not refresh worker %s in Postgres", name, exc_info=True)


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _on_shutdown(sender: Any = None, **_: Any) -> None:
    name = str(getattr(sender, "hostname", "") or "")
    try:
        if name:
            mark_worker_seen(name, stopped=True)
    except Exception:
        log.warning("could not mark worker %s stopped", name, exc_info=True)
