"""The GPU fleet as Redis holds it: one record per machine, and the backlog of each model queue.

Each GPU machine's controller publishes a record (``scheduler.core.queues.fleet_machine_key``) that
expires after ``DISPATCH_LEASE_S`` unless renewed: a JSON object

    {"served": [model, ...], "loaded": model | null, "current": model | null,
     "decode_tps": float, "node": "gpu@host", "at": unix seconds}

``current`` is the model queue it consumes (its claim). A dead machine's record expires, so its
claim disappears and the others take its model over.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

import redis

from scheduler.core.queues import FLEET_MACHINE_KEY_PREFIX, fleet_machine_key, generation_queue, queue_lists
from worker.dispatch.policy import Claimant


def publish_record(r: redis.Redis, host: str, record: Mapping[str, Any], lease_s: float) -> None:
    """Write (or renew) this machine's record, stamped with the time, to expire after `lease_s`."""
    r.set(fleet_machine_key(host), json.dumps({**record, "at": time.time()}), px=int(lease_s * 1000))


def drop_record(r: redis.Redis, host: str) -> None:
    """Remove this machine's record (and so its claim) at once."""
    r.delete(fleet_machine_key(host))


def read_machines(r: redis.Redis) -> dict[str, dict[str, Any]]:
    """Every live machine record, by host."""
    keys = sorted(r.scan_iter(match=f"{FLEET_MACHINE_KEY_PREFIX}*", count=100))
    values = r.mget(keys) if keys else []
    machines = {}
    for key, value in zip(keys, values, strict=True):
        if value:
            host = (key.decode() if isinstance(key, bytes) else key).removeprefix(FLEET_MACHINE_KEY_PREFIX)
            machines[host] = json.loads(value)
    return machines


def backlog_of(r: redis.Redis, models: Sequence[str]) -> dict[str, int]:
    """Messages waiting in each model's generation queue (all priority lists)."""
    pipe = r.pipeline()
    lists = [queue_lists(generation_queue(model)) for model in models]
    for names in lists:
        for name in names:
            pipe.llen(name)
    counts = iter(pipe.execute())
    return {m: sum(int(next(counts)) for _ in names) for m, names in zip(models, lists, strict=True)}


def record_decode_tps(record: Mapping[str, Any]) -> float:
    """A machine record's published decode rate (tokens per second)."""
    return float(record.get("decode_tps") or 1.0)


def claimant_of(record: Mapping[str, Any], job_tokens: float, running_s: Mapping[str, float]) -> Claimant:
    """Another machine consuming a model: free when its running job (if any) reaches the expected length.

    `running_s` is the seconds each Celery node's running attempt has gone (Postgres's clock).
    """
    job_s = job_tokens / record_decode_tps(record)
    elapsed_s = running_s.get(str(record.get("node")))
    return Claimant(0.0 if elapsed_s is None else max(0.0, job_s - elapsed_s), job_s)
