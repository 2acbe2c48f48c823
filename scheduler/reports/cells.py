"""How a cell with no value reads, in every table and status line (reports, `scheduler status`,
the demo's table): one mark for an empty cell, no score for a run whose verdict is infrastructure,
no ratio over nothing, and a worker's silence told apart from its clean stop.

    number(None) -> "–"           score(0, 15, "truncated") -> "–"     ratio(0, 0) -> "–"
    score(9, 15, "test_fail") -> "9/15"     worker_state("stopped", 1380, 120) -> "stopped 23m ago"
"""

from __future__ import annotations

from exams.types import INFRA_VERDICTS
from scheduler.db.vocabulary import WorkerState

EMPTY = "–"  # the one mark of a cell with no value


def text(value: object) -> str:
    """`str(value)`; EMPTY for None or an empty string."""
    return EMPTY if value is None or value == "" else str(value)


def number(value: float | None, digits: int = 1) -> str:
    """A number with `digits` decimals; EMPTY when missing."""
    return EMPTY if value is None else f"{value:.{digits}f}"


def points(value: float | None) -> str:
    """Points of a score: whole numbers without decimals, else one decimal; EMPTY when missing."""
    if value is None:
        return EMPTY
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def ratio(k: int, n: int) -> str:
    """`k/n`; EMPTY when n is 0 (a rate over no runs is not 0)."""
    return f"{k}/{n}" if n else EMPTY


def is_infra(verdict: str | None) -> bool:
    """True for truncated, gen_timeout, server_error and grader_error: never the model's answer."""
    return verdict in INFRA_VERDICTS


def score(value: float | None, max_score: float | None, verdict: str | None) -> str:
    """`score/max` of a run the model is judged on; EMPTY when nothing was graded or the verdict is
    infrastructure (its stored score of 0 is not the model's)."""
    if value is None or max_score is None or is_infra(verdict):
        return EMPTY
    return f"{points(value)}/{points(max_score)}"


def duration(seconds: float | None) -> str:
    """`1h02m` or `3m05s`; EMPTY when unknown."""
    if seconds is None:
        return EMPTY
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def age(seconds: float) -> str:
    """A coarse age that changes once a minute: `<1m`, `23m`, `2h05m`."""
    minutes = int(seconds) // 60
    if minutes < 1:
        return "<1m"
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def worker_state(state: str | None, last_seen_s: float, silent_after_s: float) -> str:
    """What a worker is doing, as far as its row says: `stopped 23m ago` (it shut down cleanly),
    `silent for 23m` (no heartbeat: killed, hung or cut off), or "" while it reports in."""
    if state == WorkerState.STOPPED:
        return f"stopped {age(last_seen_s)} ago"
    if last_seen_s > silent_after_s:
        return f"silent for {age(last_seen_s)}"
    return ""
