"""Queue and task names shared by the scheduler (which sends) and the workers (which consume)."""

from __future__ import annotations

GENERATE_TASK = "quantsweep.generate"
GRADE_TASK = "quantsweep.grade"

GRADING_QUEUE = "cpu"
GENERATION_QUEUE_PREFIX = "gen."


def generation_queue(model_id: str) -> str:
    """The Redis queue holding `generate` messages for one model (GPU affinity: one queue a model)."""
    return f"{GENERATION_QUEUE_PREFIX}{model_id}"

