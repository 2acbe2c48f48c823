"""The Celery app: settings for tasks that run for many minutes on a Redis broker, and per-process setup.

Why each setting (Celery 5.7, Redis transport):

- `task_acks_late`: a message is acknowledged after its task ends, so a worker that dies
  mid-generation leaves it in Redis to be delivered again. Tasks are idempotent (claims under a
  lease, ON CONFLICT inserts), so a second delivery is harmless.
- `worker_prefetch_multiplier = 1`: with late acks a process reserves only the message it runs;
  a long generation never holds a second message hostage (it would wait and could outlive
  the visibility timeout, then run twice).
- `broker_transport_options.visibility_timeout` (VISIBILITY_TIMEOUT_S, default 7200 s): Redis
  hands an unacknowledged message to another worker after this long. It must exceed the longest
  task (the hard limits below: GENERATE_HARD_LIMIT_S, GRADE_HARD_LIMIT_S) so a healthy generation is
  not redelivered; the short values in the tests exercise exactly that redelivery. kombu looks
  for expired messages every `unacked_restore_interval` x `unacked_restore_throttle` seconds
  (100 s by default): we scan each tick, every tenth of the visibility timeout (at most 10 s).
- `task_reject_on_worker_lost`: a pool process killed by a signal (OOM killer, SIGKILL, the hard
  time limit) requeues its message instead of acknowledging it (Celery acks by default). Message
  loops are bounded by the database: a job gets MAX_ATTEMPTS generation attempts and as many
  grading claims, then it is recorded as server_error / grader_error.
- `task_acks_on_timeout = False`: a task killed by its hard time limit is requeued the same way
  (the job's lease then expires and the next delivery takes it over); `task_acks_on_failure`:
  a task that raised (a bug) is acknowledged after it gave its claim back.
- Time limits (prefork, the only pool where both work): the soft limit raises inside the task,
  which records `gen_timeout`; the hard limit kills the process a minute later. The per-request
  deadline (the sweep's `timeout_s`) normally ends a generation long before either.
- `task_ignore_result`, no result backend: results live in Postgres, written by the tasks.
- `worker_send_task_events`, `task_send_sent_event`, `task_track_started`: Flower sees tasks
  from the moment they are sent, and when they start.
- `worker_cancel_long_running_tasks_on_connection_loss = False`: on a Redis blip the running
  generation keeps going and stores its result; the redelivered copy finds the job leased, then
  finished, and does nothing. Cancelling would throw away minutes of GPU work.

Postgres: `scheduler.db.get_pool()` opens a pool lazily in the process that uses it, so each
prefork child gets its own after the fork; `worker_process_init` drops any reference inherited
from the parent and does nothing that could block (Celery kills a child whose init takes > 4 s).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, signals

from scheduler import db
from scheduler.core.broker import transport_options
from scheduler.core.queues import GENERATE_TASK, GRADE_TASK, GRADING_QUEUE
from scheduler.core.settings import Settings, get_settings
from scheduler.db.vocabulary import WorkerRole

log = logging.getLogger(__name__)

GENERATE_SOFT_LIMIT_S = 3000  # 4 tries of a 10-minute generation plus backoff
GENERATE_HARD_LIMIT_S = GENERATE_SOFT_LIMIT_S + 60
GRADE_SOFT_LIMIT_S = 900  # every grader step has its own deadline; this is the backstop
GRADE_HARD_LIMIT_S = GRADE_SOFT_LIMIT_S + 60


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery configuration for `settings` (see the module docstring for why)."""
    return {
        "broker_url": settings.redis_url,
        "broker_transport_options": transport_options(settings.visibility_timeout_s),
        "broker_connection_retry_on_startup": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure": True,
        "task_acks_on_timeout": False,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        "task_track_started": True,
        "task_routes": {GRADE_TASK: {"queue": GRADING_QUEUE}},
        "task_annotations": {
            GENERATE_TASK: {"soft_time_limit": GENERATE_SOFT_LIMIT_S, "time_limit": GENERATE_HARD_LIMIT_S},
            GRADE_TASK: {"soft_time_limit": GRADE_SOFT_LIMIT_S, "time_limit": GRADE_HARD_LIMIT_S},
        },
        "worker_hijack_root_logger": True,
        "enable_utc": True,
    }


def create_app(settings: Settings | None = None) -> Celery:
    """A Celery app configured for quantsweep's workers, with the tasks registered."""
    settings = settings or get_settings()
    celery_app = Celery("quantsweep", set_as_current=True)
    celery_app.conf.update(celery_config(settings))
    celery_app.conf.quantsweep_worker = {"role": WorkerRole.CPU, "served_models": []}
    if settings.visibility_timeout_s <= GENERATE_HARD_LIMIT_S:
        log.warning(
            "VISIBILITY_TIMEOUT_S=%s is below the generate task's hard limit (%s s): a long generation "
            "will be delivered again while it runs (harmless, but wasteful)",
            settings.visibility_timeout_s,
            GENERATE_HARD_LIMIT_S,
        )
    return celery_app


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _reset_pool_after_fork(**_: Any) -> None:
    """A fresh pool per child: forget the parent's (never shared across a fork)."""
    db.close_pool()


@signals.worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _close_pool(**_: Any) -> None:
    db.close_pool()


app = create_app()

# Registered on import: the tasks, and the signal handlers that announce the worker, run the
# reconciler and start the GPU dispatch.
from worker import announce, reconciler, tasks  # noqa: F401
from worker.dispatch import signals as dispatch_signals  # noqa: F401
