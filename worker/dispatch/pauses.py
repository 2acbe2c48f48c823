"""Model pauses as the GPU dispatch honours them (the pauses themselves: ``scheduler/fleet/pauses.py``).

The paused models are read from Redis (``scheduler.core.queues.PAUSED_MODELS_KEY``, rewritten from
Postgres by every reconciler pass), so following them needs no more than the dispatch already
needs. A copy lost with Redis is back within a reconciler interval; meanwhile the claim, which
checks Postgres, still refuses every paused model's job.

A paused model's queue is consumed by no GPU worker, under every strategy:

    affinity   the fleet controller leaves paused models out of its decision, so a worker on a
               paused queue switches away at its next poll (its running job finishes first)
    all        ``PauseFollower`` cancels this worker's consumer of a paused model's queue at its
               next poll and adds it back once the model is resumed; a worker starting while a
               model is paused never consumes its queue (``AllQueues.initial_queues``)
    shared     one queue holds every model's jobs, so there is no consumer to cancel: a paused
               model's job is handed back each time it is delivered

A message delivered before the consumer was cancelled is refused by the claim
(``Refusal.PAUSED``) and put back on its queue without an attempt (``worker/tasks.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import redis

from scheduler.core.broker import redis_client
from scheduler.core.queues import PAUSED_MODELS_KEY, generation_queue

log = logging.getLogger(__name__)


class PauseReader:
    """The paused models as last read from Redis (kept as they were while Redis is away)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.paused: set[str] = set()

    def read(self) -> set[str]:
        """Read the pauses again; on a Redis error keep the last known ones."""
        try:
            members = self.client.smembers(PAUSED_MODELS_KEY)
        except redis.RedisError:
            log.warning("dispatch: model pauses unreadable; keeping the last known %s", sorted(self.paused))
            return self.paused
        self.paused = {m.decode() if isinstance(m, bytes) else str(m) for m in members}
        return self.paused


class PauseFollower:
    """DISPATCH=all: keep this worker's consumers on its served, unpaused model queues."""

    def __init__(
        self, app: Any, node_name: str, served: Sequence[str], redis_url: str, poll_s: float,
        prober: Any = None,
    ) -> None:  # fmt: skip
        self.app = app
        self.node_name = node_name
        self.served = sorted(set(served))
        self.poll_s = poll_s
        self.pauses = PauseReader(redis_client(redis_url))
        self.cancelled: set[str] | None = None  # models whose queue this worker stopped consuming
        self.prober = prober  # worker.speed_probe.SpeedProber: each model probed before its queue is consumed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pause-follower", daemon=True)

    def start(self) -> None:
        """Start following the pauses in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop following."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        if self.prober is not None:  # alone: the worker consumes only its standby queue until the first step
            try:
                for model in sorted(set(self.served) - self.pauses.read()):
                    self.prober.before_serving(model)
            except Exception:  # Redis away: no probe this time, the work goes on
                log.warning("speed probes skipped", exc_info=True)
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # Redis away for a moment: try again next tick
                log.warning("pause follower step failed", exc_info=True)
            self._stop.wait(self.poll_s)

    def step(self) -> None:
        """Cancel the consumers of newly paused models, add back those of resumed ones."""
        paused = self.pauses.read() & set(self.served)
        known = self.cancelled
        control = self.app.control
        for model in sorted(paused - (known or set())):
            control.cancel_consumer(
                generation_queue(model), destination=[self.node_name], reply=True, timeout=5
            )
            log.warning("dispatch: model %s is paused; its queue is no longer consumed here", model)
        resumed = set(self.served) - paused if known is None else known - paused
        for model in sorted(resumed):
            control.add_consumer(generation_queue(model), destination=[self.node_name], reply=True, timeout=5)
            if known is not None:
                log.info("dispatch: model %s resumed; consuming its queue again", model)
        self.cancelled = paused
