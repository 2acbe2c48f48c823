"""The task message: the only code that builds, sends and parses one. Messages go by task name, so
the scheduler never imports the worker's tasks.

A message is Celery's protocol 2 on kombu's Redis transport: `headers.task` names the task
(`GENERATE_TASK`, `GRADE_TASK`), the body (JSON `[args, kwargs, embed]`, base64 when
`properties.body_encoding` says so) holds the job id as the one argument; a grade may carry
`regrade=True` (a second opinion that never moves a job on). Senders:

- `publish_generate`, `publish_grade`: the scheduler's batches (submission, the reconciler, regrade);
- `send_generate`, `send_grade`: one message from inside a worker, through its running app (the
  grade after a generation, a paused model's hand-back, the shared dispatch's bounce);
- `parse`: what a raw message is for, (stage, job id), for the reconciler's view of the broker.

All messages of one submission go through one producer and kombu's publish batch (one Redis pipeline
per 1,000 messages), so 10,000 jobs cost ten round trips rather than 10,000. Every sender goes
through `sending()`, the one place where a broker that cannot be reached becomes
`ServiceUnavailable` naming REDIS_URL (password masked).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Celery

from scheduler.core.errors import ServiceUnavailable
from scheduler.core.queues import GENERATE_TASK, GRADE_TASK, GRADING_QUEUE, generation_queue
from scheduler.core.settings import Settings, mask_url

BATCH_SIZE = 1000
# What a send raises when Redis is away (kombu wraps most, not all, of the client's errors).
BROKER_ERRORS: tuple[type[Exception], ...] = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


def producer_app(settings: Settings) -> Celery:
    """A Celery app used only to send messages, configured like the workers' broker side."""
    app = Celery("quantsweep", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_s},
        broker_connection_retry_on_startup=False,
        broker_connection_max_retries=1,
        task_serializer="json",
        accept_content=["json"],
    )
    return app


@contextmanager
def sending(settings: Settings) -> Iterator[tuple[Celery, Any]]:
    """A producer app and one producer, batching; ServiceUnavailable when Redis cannot be reached."""
    app = producer_app(settings)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            with app.producer_or_acquire() as producer, producer.batch(max_size=BATCH_SIZE):
                yield app, producer
    except redis.exceptions.AuthenticationError as exc:
        raise ServiceUnavailable(
            f"Redis at REDIS_URL={mask_url(settings.redis_url)} refused the password: {exc}"
        ) from exc
    except BROKER_ERRORS as exc:
        raise ServiceUnavailable(
            f"cannot send to Redis at REDIS_URL={mask_url(settings.redis_url)}: {exc}"
        ) from exc
    finally:
        app.close()


def publish_generate(settings: Settings, jobs: Iterable[tuple[int, str]]) -> int:
    """Send `generate(job_id)` to each job's model queue; return how many were sent."""
    sent = 0
    with sending(settings) as (app, producer):
        for job_id, model in jobs:
            app.send_task(
                GENERATE_TASK,
                args=[job_id],
                queue=generation_queue(model),
                producer=producer,
                ignore_result=True,
                # A plain queue name routes through the anonymous exchange straight onto the
                # Redis list; consumers declare their own queues, so no per-message declare.
                declare=[],
            )
            sent += 1
    return sent


def publish_grade(
    settings: Settings, job_ids: Iterable[int], kwargs: Iterable[dict[str, Any]] | None = None
) -> int:
    """Send `grade(job_id, **kwargs)` to the CPU queue for each job; return how many were sent."""
    ids = list(job_ids)
    extra = list(kwargs) if kwargs is not None else [{} for _ in ids]
    with sending(settings) as (app, producer):
        for job_id, options in zip(ids, extra, strict=True):
            app.send_task(GRADE_TASK, args=[job_id], kwargs=options, queue=GRADING_QUEUE, producer=producer,
                          ignore_result=True, declare=[])  # fmt: skip
    return len(ids)


def send_generate(app: Celery, job_id: int, queue: str) -> None:
    """Send `generate(job_id)` to `queue` through a worker's running app (its broker connection)."""
    app.send_task(GENERATE_TASK, args=[job_id], queue=queue, ignore_result=True)


def send_grade(app: Celery, job_id: int) -> None:
    """Send `grade(job_id)` to the CPU queue through a worker's running app."""
    app.send_task(GRADE_TASK, args=[job_id], queue=GRADING_QUEUE, ignore_result=True)


TASK_STAGE = {GENERATE_TASK: "generate", GRADE_TASK: "grade"}


def job_id_of(args: Any, kwargs: Any) -> int:
    """The job id a task was called with (its one argument, positional or `job_id=`)."""
    return int(args[0]) if args else int(kwargs["job_id"])


def parse(message: dict[str, Any]) -> tuple[str, int] | None:
    """(stage, job id) of a raw quantsweep task message as kombu stores it; None for anything else
    (and for regrades, which never move a job on)."""
    headers = message.get("headers") or {}
    stage = TASK_STAGE.get(str(headers.get("task")))
    if stage is None:
        return None
    try:
        body = message["body"]
        if (message.get("properties") or {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _ = json.loads(body)
        job_id = int(args[0])
    except (KeyError, ValueError, TypeError, IndexError):
        return None
    if stage == "grade" and kwargs.get("regrade"):
        return None
    return stage, job_id
