"""Every worker runs the reconciler (`scheduler/fleet/reconcile.py`) in a thread of its main process.

Started when the worker is ready, stopped (leadership given up) when it shuts down. Only one
worker of the fleet leads at a time; the others try again every interval.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import signals

from scheduler.core.settings import get_settings
from scheduler.fleet.reconcile import FLEET_DUTIES, Reconciler

_running: list[tuple[Reconciler, threading.Event, threading.Thread]] = []


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start(sender: Any = None, **_: Any) -> None:
    settings = get_settings()
    name = str(getattr(sender, "hostname", "") or settings.worker_host)
    reconciler = Reconciler(settings, name, duties=FLEET_DUTIES)
    stop = threading.Event()
    thread = threading.Thread(target=reconciler.run, args=(stop,), name="reconciler", daemon=True)
    thread.start()
    _running.append((reconciler, stop, thread))


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop(**_: Any) -> None:
    while _running:
        reconciler, stop, thread = _running.pop()
        stop.set()
        thread.join(timeout=10)
        reconciler.close()
