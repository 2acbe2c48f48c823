"""What the Redis broker holds for each job: messages waiting on a queue, and messages delivered
to a worker but not acknowledged yet. Read-only, except `restore`, which puts delivered messages
back on their queue exactly as kombu's own visibility-timeout sweep does.

kombu's Redis transport (kombu 5.x, `kombu/transport/redis.py`) keeps:

- a queue as a Redis list of JSON messages, with sibling lists `<queue>\\x06\\x16<n>` for the
  priorities 3, 6 and 9 (`PRIORITY_STEPS`);
- each delivered, unacknowledged message in the hash `unacked` (delivery tag -> JSON
  `[message, exchange, routing_key]`) and its delivery time (Unix seconds) in the sorted set
  `unacked_index`, until the worker acknowledges it.

What a message holds is `scheduler.core.messages`' business (`parse`). This module is the only
code that reads kombu's layout and the only one that opens a Redis client (`redis_client`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import Celery

from scheduler.core.messages import parse
from scheduler.core.queues import (
    GRADING_QUEUE,
    UNACKED_INDEX_KEY,
    UNACKED_KEY,
    generation_queue,
    queue_lists,
)


@dataclass(frozen=True)
class Delivered:
    """A message a worker took and has not acknowledged."""

    tag: str
    stage: str  # generate | grade
    job_id: int
    age_s: float  # since it was delivered


@dataclass
class BrokerView:
    """The messages in flight per (stage, job id): waiting on a queue, or delivered and unacknowledged.

    Regrade messages (`grade(..., regrade=True)`) are left out: they never move a job on.
    """

    waiting: set[tuple[str, int]] = field(default_factory=set)
    delivered: dict[tuple[str, int], list[Delivered]] = field(default_factory=dict)

    def has_waiting(self, stage: str, job_id: int) -> bool:
        """A message for this job and stage is on a queue."""
        return (stage, job_id) in self.waiting

    def delivered_for(self, stage: str, job_id: int) -> list[Delivered]:
        """This job's delivered, unacknowledged messages of that stage."""
        return self.delivered.get((stage, job_id), [])


def scan(app: Celery, models: Iterable[str]) -> BrokerView:
    """Read every generate message of these models' queues, the grading queue and the unacked hash."""
    lists = [name for queue in [GRADING_QUEUE, *map(generation_queue, sorted(set(models)))]
             for name in queue_lists(queue)]  # fmt: skip
    view = BrokerView()
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        pipe = client.pipeline(transaction=True)  # one snapshot: a message is never seen in both places
        for name in lists:
            pipe.lrange(name, 0, -1)
        pipe.hgetall(UNACKED_KEY)
        pipe.zrange(UNACKED_INDEX_KEY, 0, -1, withscores=True)
        *queued, unacked, index = pipe.execute()
    for raw in (raw for entries in queued for raw in entries):
        found = parse(json.loads(raw))
        if found is not None:
            view.waiting.add(found)
    delivered_at = {_text(tag): float(score) for tag, score in index}
    now = time.time()
    for tag, raw in unacked.items():
        found = parse(json.loads(raw)[0])
        if found is None:
            continue
        key = _text(tag)
        age_s = max(0.0, now - delivered_at.get(key, now))
        view.delivered.setdefault(found, []).append(Delivered(key, found[0], found[1], age_s))
    return view


def restore(app: Celery, tags: Iterable[str]) -> int:
    """Put delivered messages back on their queues (one Redis transaction each, so never twice)."""
    restored = 0
    with app.connection_for_write() as conn:
        qos = conn.default_channel.qos
        for tag in tags:
            qos.restore_by_tag(tag)
            restored += 1
    return restored


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def transport_options(visibility_timeout_s: int) -> dict[str, Any]:
    """kombu's Redis transport options for a worker (`broker_transport_options`; why: worker/app.py).

    kombu sweeps for expired unacked messages every interval x throttle seconds (100 s by default);
    a worker scans on every tick, a tenth of the visibility timeout apart (at most 10 s). The
    `unacked` key is kombu's default, named here where every reader of the hash finds it.
    """
    return {
        "visibility_timeout": visibility_timeout_s,
        "unacked_restore_interval": min(10, max(1, visibility_timeout_s // 10)),
        "unacked_restore_throttle": 1,
        "unacked_key": UNACKED_KEY,
    }


def redis_client(url: str, *, connect_timeout_s: float | None = None) -> redis.Redis:
    """A Redis client for `url` (REDIS_URL): the one place one is made. `connect_timeout_s` bounds
    the connection attempt (redis-py's `socket_connect_timeout`; None waits as the OS does)."""
    return redis.Redis.from_url(url, socket_connect_timeout=connect_timeout_s)


def restore_tasks(app: Celery, task_ids: set[str]) -> list[str]:
    """Put back on their queues the delivered, unacknowledged messages of these Celery task ids
    (a dead GPU machine's); return the task ids restored. Like `restore`, once per message."""
    restored = []
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for tag, raw in channel.client.hgetall(channel.unacked_key).items():
            task_id = str(json.loads(raw)[0].get("headers", {}).get("id", ""))
            if task_id in task_ids:
                channel.qos.restore_by_tag(_text(tag))
                restored.append(task_id)
    return restored
