"""Repair turns under the chaos suite: every two-turn conversation reaches its verdict with each turn
generated once and graded once, after any single fault, with no operator action.

The rig of tests/worker/test_chaos.py (private Postgres and Redis, real `worker gpu` and `worker
cpu`, the default visibility timeout), its FAKE llama-swap replaying recorded two-turn
conversations of go-tasks/reverse (testkit/fakes/own_recordings.py: odd seeds fail then pass, even
seeds fail twice), jobs asking for two turns.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.chaos import BOUND_S, FAULTS, MODEL, TURN_FAULTS, ChaosRig, chaos_rig, run_fault
from testkit.fakes.own_recordings import TURN_TASK, write_turn_recordings
from testkit.services import ServiceUnavailable
from testkit.workers import query
from tests.support.availability import require_service
from tests.support.turns import TWO_TURN_PARAMS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BOUND_S + 200)]

SEEDS = [1, 2, 3, 4]


@pytest.fixture(scope="module")
def rig() -> Iterator[ChaosRig]:
    root = Path(tempfile.mkdtemp(prefix="quantsweep-chaos-turns-"))  # postgres must read it
    try:
        replay = write_turn_recordings(root / "recordings", MODEL)
        with chaos_rig(root, replay=replay) as started:
            started.exam, started.params = TURN_TASK, dict(TWO_TURN_PARAMS)
            yield started
    except ServiceUnavailable as exc:
        require_service("a private Redis and PostgreSQL", exc)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize(
    "fault",
    [
        "gpu worker SIGKILL between turns, restarted",
        "gpu worker SIGKILL mid-generation, restarted",
        "cpu worker SIGKILL mid-grade, restarted",
        "redis killed, restarted empty",
        "postgres stop -m immediate, restarted",
    ],
)
def test_each_turn_is_generated_and_graded_once_after_a_fault(rig: ChaosRig, fault: str) -> None:
    assert fault in FAULTS or fault in TURN_FAULTS
    outcome = run_fault(rig, fault, fault.split(",")[0].replace(" ", "-"), SEEDS)
    job_ids = list(outcome.rows)
    assert outcome.stuck == 0 and outcome.recovery_s is not None, (
        outcome.describe() + "\n" + rig.describe(job_ids)
    )
    assert outcome.lost == 0, outcome.describe()
    rows = query(
        rig.database_url,
        "SELECT j.id, j.seed, j.verdict, g.turn, count(DISTINCT g.id) AS generations, count(r.id) AS grades"
        " FROM jobs j JOIN generations g ON g.job_id = j.id LEFT JOIN grades r ON r.generation_id = g.id"
        " WHERE j.id = ANY(%s) GROUP BY j.id, j.seed, j.verdict, g.turn ORDER BY j.id, g.turn",
        (job_ids,),
    )
    assert [(r["turn"], r["generations"], r["grades"]) for r in rows] == [(1, 1, 1), (2, 1, 1)] * len(
        SEEDS
    ), rows
    verdicts = {r["seed"]: r["verdict"] for r in rows}
    assert verdicts == {s: "ok" if s % 2 else "test_fail" for s in SEEDS}
    if "between turns" in fault:
        assert rig.interrupted, "the kill did not land between two turns"
