"""A claim's lease kept alive by a background thread while the task works.

The lease is what tells a live worker from a dead one: a worker killed mid-task stops renewing,
its lease expires, and the next delivery of the job's message takes the job over.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Self

from scheduler.db.lifecycle import renew_lease

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews one job's lease every third of its length until closed; `lost` is set if it slips."""

    def __init__(self, job_id: int, lease_owner: str, lease_s: float) -> None:
        self.job_id = job_id
        self.lease_owner = lease_owner
        self.lease_s = lease_s
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval_s = max(0.5, self.lease_s / 3)
        while not self._stop.wait(interval_s):
            try:
                held = renew_lease(self.job_id, self.lease_owner, self.lease_s)
            except Exception:  # a database blip: try again next tick, the lease has slack
                log.warning("job %s: lease renewal failed", self.job_id, exc_info=True)
                continue
            if not held:
                log.warning("job %s: lease %s lost", self.job_id, self.lease_owner)
                self.lost.set()
                return
