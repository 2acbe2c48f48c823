"""Which generation queues a GPU worker consumes.

For now a GPU worker consumes `gen.<model>` for every model its llama-swap lists in
`/v1/models` at start. `select_generation_queues(served_models)` is the one place that choice is
made: the GPU-affinity dispatch (`worker/dispatch.py`) replaces it with one that follows the
backlog and the loaded model.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.queues import generation_queue


def select_generation_queues(served_models: Sequence[str]) -> list[str]:
    """The `gen.<model>` queues to consume for the models this machine's llama-swap serves."""
    return [generation_queue(model) for model in sorted(set(served_models))]
