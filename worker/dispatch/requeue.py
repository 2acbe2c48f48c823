"""Putting a dead worker's delivered-but-unacknowledged generate messages back on their queues.

kombu's Redis transport keeps a delivered message in the hash ``unacked`` (``scheduler.core.queues.
UNACKED_KEY``) until the worker acknowledges it, and hands it out again only after the broker's
visibility timeout (hours in production). A controller that sees a machine die restores that
machine's message at once, as kombu itself does (``restore_by_tag``: one Redis transaction, so
it happens once even when several machines see the death).
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)


def restore_unacked(app: Any, task_ids: set[str]) -> list[str]:
    """Re-queue the delivered-but-unacknowledged messages of these tasks; return the ones restored."""
    restored = []
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            payload = json.loads(raw)[0]
            task_id = str(payload.get("headers", {}).get("id", ""))
            if task_id in task_ids:
                channel.qos.restore_by_tag(tag.decode() if isinstance(tag, bytes) else tag)
                restored.append(task_id)
                log.warning("dispatch: task %s of a dead machine put back on its queue", task_id)
    return restored
