"""A dead machine's delivered-but-unacknowledged job goes back on its queue (real Redis, kombu's own format)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from celery import Celery

from scheduler.core.queues import GENERATE_TASK, UNACKED_KEY, generation_queue
from worker.dispatch.requeue import restore_unacked

QUEUE = generation_queue("m-alpha")


@pytest.fixture
def app(redis_url: str) -> Iterator[Celery]:
    celery_app = Celery("quantsweep-test", broker=redis_url, set_as_current=False)
    celery_app.conf.update(
        task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True
    )
    yield celery_app
    celery_app.close()


def deliver_without_ack(app: Celery, count: int) -> list[str]:
    """Send `count` messages to QUEUE and take them as a worker would, leaving them unacknowledged."""
    ids = [app.send_task(GENERATE_TASK, args=[n], queue=QUEUE, ignore_result=True).id for n in range(count)]
    conn = app.connection_for_write()
    channel = conn.default_channel
    channel.do_restore = False  # a killed worker puts nothing back when this test process exits
    for _ in ids:
        assert channel.basic_get(QUEUE, no_ack=False) is not None
    return ids  # the connection is left open, like a killed worker's, never acking


def test_a_dead_machines_unacked_task_is_put_back_on_its_queue_and_others_stay(
    app: Celery, redis_url: str
) -> None:
    dead_task, live_task = deliver_without_ack(app, 2)
    client = redis.Redis.from_url(redis_url)
    assert client.llen(QUEUE) == 0 and client.hlen(UNACKED_KEY) == 2

    assert restore_unacked(app, {dead_task}) == [dead_task]

    assert client.llen(QUEUE) == 1, "the dead machine's task is not back on its queue"
    assert client.hlen(UNACKED_KEY) == 1, "the live machine's task was taken from it"
    assert restore_unacked(app, {dead_task}) == [], "a second restore must not queue the task twice"
    assert client.llen(QUEUE) == 1
    assert live_task != dead_task
