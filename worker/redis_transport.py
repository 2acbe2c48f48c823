"""kombu's Redis transport, with one fault fixed: a worker that loses Redis while it holds a
message keeps running.

When the connection to Redis drops, Celery closes the connection before reconnecting, and
kombu's Redis channel then tries to put the messages this worker holds back on their queues
(`QoS.restore_unacked`). With the connection already gone, kombu 5.7 fails there with an
AttributeError (the channel has no connection parameters left) instead of a connection error,
and Celery treats it as an unrecoverable error: the worker process exits, and with it any
generation it was running (seen in tests/worker/test_chaos.py: Redis killed while a grader held a
second message). The same happens when a task that was running across the reconnection ends
and its message is acknowledged on the replaced channel. Here both are skipped with a warning
instead: the messages stay in Redis's
`unacked` hash (restored later by the visibility sweep, or by the reconciler once their jobs
are found stuck), or were lost with Redis anyway; the reconciler re-sends those.

`worker gpu` and `worker cpu` use it through `broker_transport` (worker/cli.py); Flower and the
scheduler's senders keep kombu's.
"""

from __future__ import annotations

import logging
from typing import Any

from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)


class QoS(kombu_redis.QoS):
    """kombu's Redis QoS, whose restore at close survives a connection that is already gone."""

    def restore_unacked(self, client: Any = None) -> None:
        """Put held messages back, unless the connection is gone (then they stay in `unacked`)."""
        try:
            super().restore_unacked(client)  # type: ignore[no-untyped-call]
        except AttributeError:
            log.warning("Redis connection lost: %d held message(s) left in Redis's unacked hash "
                        "(restored later, or re-sent by the reconciler)", len(self._delivered))  # fmt: skip
            self._delivered.clear()

    def ack(self, delivery_tag: Any) -> None:
        """Acknowledge; a message delivered on a connection that has since been replaced cannot be."""
        try:
            super().ack(delivery_tag)  # type: ignore[no-untyped-call]
        except AttributeError:
            self._gone(delivery_tag)

    def reject(self, delivery_tag: Any, requeue: bool = False) -> None:
        """Reject (or requeue); as `ack` for a message of a replaced connection."""
        try:
            super().reject(delivery_tag, requeue=requeue)  # type: ignore[no-untyped-call]
        except AttributeError:
            self._gone(delivery_tag)

    def _gone(self, delivery_tag: Any) -> None:
        # The message stays in Redis's unacked hash (if Redis kept it) and comes back after the
        # visibility timeout: its job's claim refuses it then, the job being finished.
        log.warning(
            "message %s was delivered on a Redis connection that is gone: not acknowledged", delivery_tag
        )
        self._dirty.add(delivery_tag)  # done here, as kombu's own ack records it


class Channel(kombu_redis.Channel):
    """kombu's Redis channel with the QoS above."""

    QoS = QoS


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above."""

    Channel = Channel
