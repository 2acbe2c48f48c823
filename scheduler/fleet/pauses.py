"""Pausing a model's queue when the infrastructure tripwire trips, and resuming it.

Each pass, the leading reconciler (`scheduler/fleet/reconcile.py`) calls `pause_tripped_models`: for
every sweep with a job not done, whose `tripwires:` neither turns `infra_first_jobs` off nor
says `pause: false`, a model whose first `infra_first_jobs` finished jobs of the sweep all ended
in infrastructure verdicts (`scheduler.fleet.tripwires.infra_cause`) is paused: a row in
`model_pauses` (Postgres, the source of truth) with the tripwire's line as its cause.

The dispatch reads the paused models from a Redis set (`scheduler.core.queues.PAUSED_MODELS_KEY`), so
a GPU worker's controller depends on no more than Redis while Postgres is away. Postgres stays the
source of truth: each pass rewrites the set from `model_pauses` (Redis may lose it), `resume`
removes the model at once, and the claim itself refuses a paused model's job in Postgres.

A pause is per model, so it holds the model's jobs of every sweep (they share its queue
`gen.<model>`). While a model is paused its jobs stay `queued` with their messages on its queue:
no GPU worker starts consuming that queue, one that consumes it cancels its consumer at its next
poll (`worker/dispatch/`), and a message already delivered goes back to its queue unclaimed
(`Refusal.PAUSED`, no attempt, no verdict). Jobs of other models run on.

`resume` lifts the pause (`scheduler resume --model M`). Only jobs that finish after the latest
resume count towards the next pause, so the same jobs never pause a model twice; if the first
`infra_first_jobs` jobs finishing after the resume all end in infrastructure verdicts again, the
model is paused again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import redis

from scheduler.core.broker import redis_client
from scheduler.core.errors import NotPausedError
from scheduler.core.queues import PAUSED_MODELS_KEY
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.pauses import first_verdicts_since_resume, pauses_in_force, record_pause, resume_model
from scheduler.db.sweeps import running_sweeps
from scheduler.fleet.tripwires import Tripwires, infra_cause

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pause:
    """A pause this pass recorded."""

    model: str
    sweep: str
    cause: str


def pause_tripped_models(settings: Settings) -> list[Pause]:
    """Pause every model that trips the infra tripwire in a running sweep, and rewrite the dispatch's
    copy of the pauses in Redis; return the new pauses."""
    recorded = []
    with connect(settings) as conn:
        for sweep, definition in running_sweeps(conn).items():
            tripwires = Tripwires.of(definition.get("tripwires"))
            first = tripwires.infra_first_jobs
            if first is None or not tripwires.pause:
                continue
            for model, verdicts in first_verdicts_since_resume(conn, sweep, first).items():
                cause = infra_cause(model, verdicts, first)
                if cause is not None and record_pause(conn, model, sweep, cause):
                    recorded.append(Pause(model, sweep, cause))
        conn.commit()
        paused = [p["model"] for p in pauses_in_force(conn)]
    publish_paused(settings, paused)
    for pause in recorded:
        log.warning(
            "paused model %s (sweep %s): %s; resume with `scheduler resume --model %s`",
            pause.model,
            pause.sweep,
            pause.cause,
            pause.model,
        )
    return recorded


def resume(settings: Settings, model: str) -> None:
    """Lift the model's pause; NotPausedError (an operator's mistake) when it is not paused."""
    with connect(settings) as conn:
        lifted = resume_model(conn, model)
        conn.commit()
    if not lifted:
        raise NotPausedError(f"model {model!r} is not paused (`scheduler status` lists the paused models)")
    client = redis_client(settings.redis_url)
    try:
        client.srem(PAUSED_MODELS_KEY, model)
    except redis.RedisError as exc:  # the next reconciler pass rewrites the set from Postgres
        log.warning("model %s resumed; the workers see it at the reconciler's next pass (%s)", model, exc)
    finally:
        client.close()


def publish_paused(settings: Settings, models: Iterable[str]) -> None:
    """Replace the dispatch's set of paused models in Redis (one transaction)."""
    client = redis_client(settings.redis_url)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.delete(PAUSED_MODELS_KEY)
        names = sorted(set(models))
        if names:
            pipe.sadd(PAUSED_MODELS_KEY, *names)
        pipe.execute()
    finally:
        client.close()


def resume_hint(model: str) -> str:
    """How an operator resumes a paused model."""
    return f"resume with `scheduler resume --model {model}`"
