"""Every Celery queue, task name and Redis key quantsweep uses, shared by the scheduler (which sends),
the workers (which consume and dispatch), ops, bench and tests.

Queues (Celery on Redis: a queue is a Redis list of the same name)::

    gen.<model>      generate messages of one model; a GPU worker consumes one at a time
    cpu              grade messages; every CPU worker consumes it
    gpu.<host>       a GPU worker's standby queue before its first dispatch decision (nothing is sent)
    naive.gpu        DISPATCH=shared only: one queue for every GPU job (the benchmark's baseline)

Redis keys of our own (the fleet, see worker/dispatch/records.py)::

    qs:fleet:machine:<host>   a GPU machine's record, a lease renewed every DISPATCH_POLL_S
    qs:fleet:lock             held by the machine deciding which model queue to take
    qs:paused-models          a set: the models paused now, the dispatch's copy of Postgres's
                              `model_pauses`, rewritten by every reconciler pass (scheduler/fleet/pauses.py)

kombu's Redis transport keeps a queue's priority messages in sibling lists `<queue>\\x06\\x16<n>`,
and delivered but unacknowledged messages in the hash `unacked` (its `unacked_key` default).
"""

from __future__ import annotations

GENERATE_TASK = "quantsweep.generate"
GRADE_TASK = "quantsweep.grade"

GRADING_QUEUE = "cpu"
GENERATION_QUEUE_PREFIX = "gen."
SHARED_QUEUE = "naive.gpu"

FLEET_MACHINE_KEY_PREFIX = "qs:fleet:machine:"
FLEET_LOCK_KEY = "qs:fleet:lock"
PAUSED_MODELS_KEY = "qs:paused-models"

UNACKED_KEY = "unacked"
UNACKED_INDEX_KEY = "unacked_index"  # delivery tag -> when it was delivered (Unix seconds)
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


def generation_queue(model_id: str) -> str:
    """The Redis queue holding `generate` messages for one model (GPU affinity: one queue a model)."""
    return f"{GENERATION_QUEUE_PREFIX}{model_id}"


def standby_queue(host: str) -> str:
    """The queue a GPU worker consumes before its first decision (nothing is sent to it)."""
    return f"gpu.{host}"


def queue_lists(queue: str) -> list[str]:
    """Every Redis list holding messages of `queue`: the queue's own and its priority siblings."""
    return [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]


def fleet_machine_key(host: str) -> str:
    """The Redis key of one GPU machine's fleet record."""
    return f"{FLEET_MACHINE_KEY_PREFIX}{host}"
