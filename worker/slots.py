"""A GPU machine's capacity: how many generations of its loaded model its worker runs at once.

llama-server decodes up to `-np/--parallel N` requests together (continuous batching), one
*slot* each; `GET /props` reports the number as `total_slots`. The GPU worker runs that many
generate tasks at once (Celery prefork concurrency N, prefetch 1 each), so every slot of the
loaded model is busy while its queue has jobs.

    GPU_SLOTS    the slots of this machine's server [unset: `/props` `total_slots` of the first
                 served model, else 1]. Set it behind llama-swap, where `/props?model=` would
                 load a model: it must match the `--parallel` of the models in its config.
                 Read with every other setting (`Settings.dispatch.slots`, scheduler/core/settings.py).

`in_flight()` is the number of generate tasks this worker holds right now (received and not
finished), read in the worker's main process: the dispatch switches models only when it is 0,
so a swap waits for the slots to drain (`worker.dispatch.controller`). `note_concurrency` stores,
with each generation, how many ran at once beside it (`scheduler.db.speed`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.core.settings import MAX_SLOTS
from scheduler.db import DATABASE_ERRORS
from scheduler.db.speed import record_concurrency
from worker.client import ChatClient

log = logging.getLogger(__name__)

SLOTS_ENV = "GPU_SLOTS"


@dataclass(frozen=True)
class Slots:
    """How many generations run at once on this machine, and where the number came from."""

    count: int
    source: str  # "GPU_SLOTS", "/props total_slots" or "default"


def machine_slots(client: ChatClient, served: Sequence[str], configured: int | None) -> Slots:
    """`configured` (GPU_SLOTS, `Settings.dispatch.slots`) if set, else the server's `/props`
    `total_slots` for the first served model, else 1."""
    if configured is not None:
        return Slots(configured, SLOTS_ENV)
    if served:
        total = client.server_info(served[0]).get("total_slots")
        if isinstance(total, int) and 1 <= total <= MAX_SLOTS:
            return Slots(total, "/props total_slots")
    return Slots(1, "default")


def note_concurrency(attempt_id: int) -> None:
    """Store how many generations this machine ran at once during this attempt's
    (`scheduler.db.speed.record_concurrency`); a database away leaves it unknown, never fails the job."""
    try:
        record_concurrency(attempt_id)
    except DATABASE_ERRORS:
        log.warning("attempt %s: its concurrency was not stored (database away)", attempt_id)


def in_flight() -> int:
    """Generate tasks this worker process has received and not finished (Celery's worker state).

    Meaningful in the worker's main process, where the consumer keeps `reserved_requests`
    (a request enters when received, leaves when its task ends, whatever the pool).
    """
    from celery.worker import state  # the worker's own bookkeeping; empty outside a worker

    return len(state.reserved_requests)


def activity() -> tuple[int, int]:
    """(generate tasks held now, tasks this worker has started since it began): equal readings
    before and after an interval with 0 held mean no task ran during it (Celery's worker state,
    `reserved_requests` and `all_total_count`; main process, as `in_flight`)."""
    from celery.worker import state

    return len(state.reserved_requests), state.all_total_count[0]
