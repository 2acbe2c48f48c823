"""The speed probe measures a model alone: a repeat during which the worker took a job is dropped.

Against the FAKE llama-swap over HTTP (the server's decode rate comes from its `timings`) and the
test's PostgreSQL; the worker's activity (Celery's `reserved_requests` and `all_total_count`) is
read through the prober's `read_activity`, which these tests drive.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduler.core.settings import Settings, SpeedProbeSettings
from scheduler.db import connect
from scheduler.db.speed import probes_of
from scheduler.db.vocabulary import ProbeReason
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from worker.chat import ChatRequest, ChatResult
from worker.client import ChatClient
from worker.speed_probe import SpeedProber

MODEL = "gpt-oss-20b"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLlamaSwapProcess]:
    proc = start_fake_llama_swap([MODEL], load_time_s=0.05, decode_tps=5000)
    yield proc
    proc.stop()


class BusyDuring(ChatClient):
    """A real client whose listed repeats (1-based) see a task start on the worker while they run."""

    def __init__(self, url: str, busy: set[int]) -> None:
        super().__init__(url)
        self.busy, self.calls, self.started = busy, 0, 0

    def complete(self, request: ChatRequest) -> ChatResult:
        self.calls += 1
        result = super().complete(request)
        if self.calls in self.busy:
            self.started += 1  # a job arrived and started beside this repeat
        return result

    def activity(self) -> tuple[int, int]:
        return 0, self.started


def prober(client: BusyDuring) -> SpeedProber:
    return SpeedProber(client, "gpu@one", "one", SpeedProbeSettings(tokens=16, repeats=3, busy_s=0.0),
                       read_activity=client.activity)  # fmt: skip


def stored_runs(settings: Settings) -> list[list[float]]:
    with connect(settings) as conn:
        return [probe["decode_runs"] for probe in probes_of(conn, [MODEL])]


def test_a_repeat_during_which_a_job_started_is_left_out_of_the_probe(
    fake: FakeLlamaSwapProcess, settings: Settings
) -> None:
    fake.reset()
    assert prober(BusyDuring(fake.url, busy={2})).probe(MODEL, ProbeReason.IDLE)
    (runs,) = stored_runs(settings)
    assert len(runs) == 2 and all(r > 0 for r in runs)


def test_a_probe_disturbed_in_every_repeat_stores_nothing_and_stays_due(
    fake: FakeLlamaSwapProcess, settings: Settings
) -> None:
    fake.reset()
    p = prober(BusyDuring(fake.url, busy={1, 2, 3}))
    p.note_busy(MODEL)
    assert not p.probe(MODEL, ProbeReason.IDLE)
    assert stored_runs(settings) == []
    assert p.idle_due(MODEL)  # the next drain tries again


def test_an_undisturbed_probe_keeps_every_repeat(fake: FakeLlamaSwapProcess, settings: Settings) -> None:
    fake.reset()
    assert prober(BusyDuring(fake.url, busy=set())).probe(MODEL, ProbeReason.LOAD)
    (runs,) = stored_runs(settings)
    assert len(runs) == 3
