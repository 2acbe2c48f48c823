"""Progress as plain lines, for output that is not a terminal (a CI log, a pipe, a file), where a
live progress bar would only be drawn once, at the end.

`ProgressLines.update(lines)` writes the lines when they differ from the last ones written, and
otherwise repeats their first (summary) line every `heartbeat_s` seconds, so a log shows the run
is alive at a steady interval even while nothing changes. Every written line starts with the time
elapsed since the first update: `[2m05s] demo: 2/6 done ...`. `scheduler status --watch`,
`scheduler submit --wait` and the demo (ops/run_local.py) use it when stdout is not a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TextIO

from scheduler.reports import cells

HEARTBEAT_S = 15.0  # at most this long between two lines of a run that is still going


class ProgressLines:
    """Writes progress to `out` on change, and its summary line at least every `heartbeat_s` seconds."""

    def __init__(
        self, out: TextIO, heartbeat_s: float = HEARTBEAT_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.out = out
        self.heartbeat_s = heartbeat_s
        self.clock = clock
        self.started: float | None = None
        self.last: list[str] = []
        self.written_at = 0.0

    def update(self, lines: Sequence[str]) -> bool:
        """Write `lines` if they changed, or their first line if `heartbeat_s` passed; True if written."""
        now = self.clock()
        if self.started is None:
            self.started = now
        lines = list(lines)
        if lines != self.last:
            shown = lines
        elif now - self.written_at >= self.heartbeat_s and lines:
            shown = lines[:1]
        else:
            return False
        stamp = f"[{cells.duration(now - self.started)}] "
        self.out.write("".join(f"{stamp}{line}\n" for line in shown))
        self.out.flush()
        self.last = lines
        self.written_at = now
        return True
