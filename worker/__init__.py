"""quantsweep's workers: the Celery app, the `generate` (GPU workers) and `grade` (CPU workers) tasks,
and the OpenAI-compatible client for llama-swap and llama-server.

Imports only the shared public layer of the control plane: `scheduler.core.settings`, `scheduler.db`
(including `scheduler.db.lifecycle`) and `scheduler.core.queues`.
"""
