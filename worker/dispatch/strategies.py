"""How GPU workers pick their queues (`DISPATCH`): one strategy class per mode, behind one protocol.

    affinity   the real one: start on the standby queue ``gpu.<host>``; a ``FleetController``
               then consumes one model queue at a time (``worker.dispatch.controller``)
    all        every served model's queue (Celery round-robins between them), from when each
               model's speed probe ran;
               the local run and tests, where one machine serves one or two small models
    shared     one queue for every GPU job (``scheduler.core.queues.SHARED_QUEUE``); a job for a
               model this machine does not serve is handed back. The naive baseline
               ``bench/fleet`` measures affinity against; never for real runs

A strategy acts at two moments, both outside the tasks' code: `configure(app)` before the worker
starts (``worker gpu``), to install what it needs on the tasks through Celery's own
`task_annotations` (only `shared` does: its hand-back runs as the generate task's
`before_start`); and `start(...)` when the worker is ready, returning the thread that follows
the fleet, if any. Every strategy honours model pauses (``worker.dispatch.pauses``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from celery.exceptions import Ignore

from scheduler.core import messages
from scheduler.core.queues import GENERATE_TASK, SHARED_QUEUE, standby_queue
from scheduler.core.settings import DISPATCH_MODES, Settings, get_settings
from scheduler.db.lifecycle import job_model
from worker.client import ChatClient
from worker.dispatch.controller import FleetController
from worker.dispatch.pauses import PauseFollower
from worker.speed_probe import SpeedProber

log = logging.getLogger(__name__)


class Follower(Protocol):
    """A thread a strategy runs beside the worker, stopped when the worker shuts down."""

    def start(self) -> None:
        """Begin following the fleet in the background."""

    def stop(self) -> None:
        """Stop, and give up whatever this machine holds in the fleet."""


class DispatchStrategy(Protocol):
    """One DISPATCH mode."""

    name: str

    def initial_queues(self, host: str, served: Sequence[str]) -> list[str]:
        """The queues a GPU worker consumes from its start."""

    def configure(self, app: Any) -> None:
        """Install this strategy's task hooks on the app, before the worker starts."""

    def follower(self, app: Any, node: str, settings: Settings) -> Follower | None:
        """What follows the fleet once the worker is ready (None: nothing)."""


class Affinity:
    """One model queue at a time, chosen by the fleet controller (the default)."""

    name = "affinity"

    def initial_queues(self, host: str, served: Sequence[str]) -> list[str]:
        """Only the standby queue: no job before the controller's first decision."""
        return [standby_queue(host)]

    def configure(self, app: Any) -> None:
        """Nothing to install on the tasks."""

    def follower(self, app: Any, node: str, settings: Settings) -> Follower | None:
        """The fleet controller."""
        return FleetController(app, node, settings.worker_host, settings.redis_url, settings.llama_swap_url)


class AllQueues:
    """Every served model's queue at once."""

    name = "all"

    def initial_queues(self, host: str, served: Sequence[str]) -> list[str]:
        """Only the standby queue: the pause follower adds every unpaused served model's queue once
        each model's speed probe ran alone (``worker.speed_probe``)."""
        return [standby_queue(host)]

    def configure(self, app: Any) -> None:
        """Nothing to install on the tasks."""

    def follower(self, app: Any, node: str, settings: Settings) -> Follower | None:
        """The pause follower: consumers of paused models cancelled, added back on resume."""
        served = (getattr(app.conf, "quantsweep_worker", None) or {}).get("served_models") or []
        prober = SpeedProber(ChatClient(settings.llama_swap_url), node, settings.worker_host)
        return PauseFollower(app, node, served, settings.redis_url, settings.dispatch.poll_s, prober)


class SharedQueue:
    """The naive baseline: one queue for every GPU job, unserved jobs handed back."""

    name = "shared"

    def initial_queues(self, host: str, served: Sequence[str]) -> list[str]:
        """The one shared queue."""
        return [SHARED_QUEUE]

    def configure(self, app: Any) -> None:
        """Run `hand_back_unserved` before every generate task (Celery's `task_annotations`)."""
        annotations = dict(app.conf.task_annotations or {})
        annotations[GENERATE_TASK] = {
            **annotations.get(GENERATE_TASK, {}),
            "before_start": hand_back_unserved,
        }
        app.conf.task_annotations = annotations

    def follower(self, app: Any, node: str, settings: Settings) -> Follower | None:
        """Nothing follows the fleet."""
        return None


def hand_back_unserved(task: Any, task_id: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """DISPATCH=shared, as the generate task's `before_start`: a job for a model not served here goes back.

    The message is published again at the shared queue's tail and this delivery ends (`Ignore`:
    acknowledged, the task body never runs, nothing claimed), so another machine gets it; the
    worker first pauses DISPATCH_BOUNCE_PAUSE_S so machines holding only unserved jobs do not
    spin. A job of unknown model goes through the normal claim (which drops or retries it).
    """
    job_id = messages.job_id_of(args, kwargs)
    served = (getattr(task.app.conf, "quantsweep_worker", None) or {}).get("served_models") or []
    model = job_model(job_id)
    if model is None or model in served:
        return
    messages.send_generate(task.app, job_id, SHARED_QUEUE)
    log.info("dispatch=shared: job %s is for %s, not served here; handed back", job_id, model)
    time.sleep(get_settings().dispatch.bounce_pause_s)
    raise Ignore()


STRATEGIES: dict[str, DispatchStrategy] = {s.name: s for s in (Affinity(), AllQueues(), SharedQueue())}
assert tuple(STRATEGIES) == DISPATCH_MODES, "every DISPATCH mode the settings accept has one strategy"


def strategy_for(settings: Settings | None = None) -> DispatchStrategy:
    """The strategy DISPATCH selects (`Settings.dispatch.mode`, validated when settings are read)."""
    return STRATEGIES[(settings or get_settings()).dispatch.mode]
