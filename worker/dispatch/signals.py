"""Celery signal wiring: a GPU worker starts its strategy's follower when ready, stops it at shutdown.

Imported by ``worker/app.py`` so every worker process registers the handlers; a CPU worker, or a
strategy without a follower, starts nothing.
"""

from __future__ import annotations

from typing import Any

from celery import signals

from scheduler.core.settings import get_settings
from scheduler.db.vocabulary import WorkerRole
from worker.dispatch.strategies import Follower, strategy_for

_followers: list[Follower] = []


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start_follower(sender: Any = None, **_: Any) -> None:
    app = getattr(sender, "app", None)
    config = getattr(getattr(app, "conf", None), "quantsweep_worker", None) or {}
    if config.get("role") != WorkerRole.GPU:
        return
    settings = get_settings()
    node = str(getattr(sender, "hostname", "") or f"{WorkerRole.GPU}@{settings.worker_host}")
    follower = strategy_for().follower(app, node, settings)
    if follower is not None:
        follower.start()
        _followers.append(follower)


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop_followers(**_: Any) -> None:
    while _followers:
        _followers.pop().stop()
