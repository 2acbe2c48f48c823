"""One rendering of empty and infrastructure cells (scheduler/reports/cells.py), and plain progress lines
at a steady interval off a terminal (scheduler/cli/progress.py)."""

from __future__ import annotations

import io

import pytest

from exams.types import INFRA_VERDICTS, MODEL_VERDICTS
from scheduler.cli.progress import ProgressLines
from scheduler.reports import cells


@pytest.mark.parametrize("verdict", sorted(INFRA_VERDICTS))
def test_a_run_with_an_infrastructure_verdict_shows_no_score(verdict: str) -> None:
    assert cells.score(0, 15, verdict) == cells.EMPTY


@pytest.mark.parametrize("verdict", sorted(MODEL_VERDICTS))
def test_a_run_the_model_is_judged_on_shows_its_score_even_zero(verdict: str) -> None:
    assert cells.score(0, 15, verdict) == "0/15"
    assert cells.score(7.5, 10, verdict) == "7.5/10"


def test_every_missing_value_renders_as_the_same_empty_mark() -> None:
    assert {
        cells.text(None),
        cells.text(""),
        cells.number(None),
        cells.points(None),
        cells.ratio(0, 0),
        cells.score(None, None, None),
        cells.duration(None),
    } == {cells.EMPTY}
    assert (cells.text("stop"), cells.number(41.26), cells.number(700, 0), cells.ratio(0, 3)) == (
        "stop",
        "41.3",
        "700",
        "0/3",
    )


def test_a_stopped_worker_says_it_stopped_and_a_silent_one_says_it_is_silent() -> None:
    assert cells.worker_state("stopped", 23 * 60 + 5, 120) == "stopped 23m ago"
    assert cells.worker_state("stopped", 3, 120) == "stopped <1m ago"
    assert cells.worker_state("running", 23 * 60, 120) == "silent for 23m"
    assert cells.worker_state("running", 2 * 3600 + 5 * 60, 120) == "silent for 2h05m"
    assert cells.worker_state("running", 30, 120) == ""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_repeat_the_summary_at_the_heartbeat_and_write_changes_at_once() -> None:
    out, clock = io.StringIO(), Clock()
    progress = ProgressLines(out, heartbeat_s=15, clock=clock)
    assert progress.update(["demo: 0/6 done", "  gpu worker"])
    clock.now += 14
    assert not progress.update(["demo: 0/6 done", "  gpu worker"])
    clock.now += 1
    assert progress.update(["demo: 0/6 done", "  gpu worker"])
    clock.now += 2
    assert progress.update(["demo: 1/6 done", "  gpu worker"])
    assert out.getvalue().splitlines() == [
        "[0m00s] demo: 0/6 done",
        "[0m00s]   gpu worker",
        "[0m15s] demo: 0/6 done",
        "[0m17s] demo: 1/6 done",
        "[0m17s]   gpu worker",
    ]
