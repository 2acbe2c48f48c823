"""One model loaded at a time, swapped on demand: the fake's copy of llama-swap's FIFO rules.

The rules it mimics (llama-swap ``internal/router/scheduler/fifo.go``, see ops-facts A.4):
a request for the loaded, ready model is served at once; a request that joins a swap
already loading its model waits for it; a request whose model would evict a model that
still has requests in flight waits until that model drains; otherwise the oldest waiting
request's model is loaded, charging its load time. A caller that goes away while queued
is removed, so no load starts for it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from enum import StrEnum


class ProcessState(StrEnum):
    """State of the (pretend) upstream process, spelled as llama-swap's /running does."""

    STOPPED = "stopped"  # nothing loaded
    STARTING = "starting"  # a swap is loading the model
    READY = "ready"  # loaded and serving


@dataclass
class LoadEvent:
    """One model load: which model, and when it started and finished (epoch seconds)."""

    model: str
    started_at: float
    finished_at: float | None = None


@dataclass
class SwapScheduler:
    """Admits requests one model at a time and counts every load it charges."""

    load_time_s: dict[str, float]
    concurrency_limit: int = 10
    loaded: str | None = None
    state: ProcessState = ProcessState.STOPPED
    inflight: int = 0
    loads: dict[str, int] = field(default_factory=dict)
    load_events: list[LoadEvent] = field(default_factory=list)
    _queue: list[tuple[int, str]] = field(default_factory=list)
    _tickets: itertools.count[int] = field(default_factory=itertools.count)
    _cond: asyncio.Condition = field(default_factory=asyncio.Condition)
    _swap_task: asyncio.Task[None] | None = None

    def pending_for(self, model: str) -> int:
        """Requests for model that are queued or in flight (llama-swap's concurrencyLimit counts these)."""
        queued = sum(1 for _, m in self._queue if m == model)
        return queued + (self.inflight if self.loaded == model else 0)

    async def acquire(self, model: str) -> None:
        """Wait until model is loaded and ready, then count this request as in flight."""
        async with self._cond:
            ticket = next(self._tickets)
            self._queue.append((ticket, model))
            try:
                while not (self.loaded == model and self.state is ProcessState.READY):
                    self._maybe_start_swap()
                    await self._cond.wait()
            except BaseException:
                self._queue.remove((ticket, model))
                self._cond.notify_all()
                raise
            self._queue.remove((ticket, model))
            self.inflight += 1

    async def release(self) -> None:
        """One in-flight request finished (or its caller went away)."""
        async with self._cond:
            self.inflight -= 1
            self._cond.notify_all()

    async def unload(self) -> None:
        """Forget the loaded model (llama-swap's /unload); in-flight requests finish on their own."""
        async with self._cond:
            if self.state is not ProcessState.STARTING:
                self.loaded = None
                self.state = ProcessState.STOPPED
            self._cond.notify_all()

    def _maybe_start_swap(self) -> None:
        if self.state is ProcessState.STARTING or self.inflight > 0 or not self._queue:
            return
        target = self._queue[0][1]
        if self.loaded == target and self.state is ProcessState.READY:
            return
        self.loaded = target
        self.state = ProcessState.STARTING
        self.loads[target] = self.loads.get(target, 0) + 1
        event = LoadEvent(model=target, started_at=time.time())
        self.load_events.append(event)
        # The load runs on its own: a caller leaving mid-load does not abort it (as in llama-swap).
        self._swap_task = asyncio.get_running_loop().create_task(self._finish_swap(event))

    async def _finish_swap(self, event: LoadEvent) -> None:
        await asyncio.sleep(self.load_time_s.get(event.model, 0.0))
        async with self._cond:
            event.finished_at = time.time()
            self.state = ProcessState.READY
            self._cond.notify_all()
