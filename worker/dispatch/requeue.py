"""Putting a dead worker's delivered-but-unacknowledged generate messages back on their queues.

kombu's Redis transport keeps a delivered message in the hash ``unacked`` (read only by
``scheduler.core.broker``) until the worker acknowledges it, and hands it out again only after the broker's
visibility timeout (hours in production). A controller that sees a machine die restores that
machine's message at once, as kombu itself does (``restore_by_tag``: one Redis transaction, so
it happens once even when several machines see the death).
"""

from __future__ import annotations

import logging
from typing import Any

from scheduler.core.broker import restore_tasks

log = logging.getLogger(__name__)


def restore_unacked(app: Any, task_ids: set[str]) -> list[str]:
    """Re-queue the delivered-but-unacknowledged messages of these tasks; return the ones restored."""
    restored = restore_tasks(app, task_ids)
    for task_id in restored:
        log.warning("dispatch: task %s of a dead machine put back on its queue", task_id)
    return restored
