"""Tripwires: infra-only first jobs, a check every model fails, and latencies no generation has."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.fleet.tripwires import tripped
from scheduler.results.runs import load_runs
from scheduler.sweeps.catalog import Model
from tests.support.runs import add_run, add_sweep


def _job(
    conn: Any,
    model: str,
    seed: int,
    *,
    outcome: str = "ok",
    wall_s: float = 60.0,
    decode_tps: float = 20.0,
    grade: tuple[float, str, bool] | None = None,
    race_passed: bool = False,
) -> None:
    generation = {"outcome": outcome, "finish_reason": "stop", "decode_tps": decode_tps, "wall_s": wall_s}
    graded = None
    if grade is not None:
        score, verdict, compiled = grade
        checks = [
            {"name": "OnlineFlow", "passed": True, "points": 1, "max_points": 1},
            {"name": "RaceDetector", "passed": race_passed, "points": int(race_passed), "max_points": 1},
        ]
        graded = {
            "grader_version": "t",
            "score": score,
            "max_score": 10,
            "verdict": verdict,
            "compiled": compiled,
            "checks": checks,
        }
    add_run(conn, "s", model, "v2", seed, generation, graded)


def _sweep(
    settings: Settings, tripwires: dict[str, Any] | None = None, race_passed: bool = False
) -> list[str]:
    with connect(settings) as conn:
        with conn.transaction():
            definition = {"models": ["a", "b", "c"], **({"tripwires": tripwires} if tripwires else {})}
            add_sweep(conn, "s", definition, [Model(m, m.upper(), "f", None, None) for m in ("a", "b", "c")])
            for seed in (1, 2, 3):
                _job(conn, "a", seed, outcome="server_error")
                _job(conn, "b", seed, grade=(5, "test_fail", True))
                _job(
                    conn,
                    "c",
                    seed,
                    grade=(6, "test_fail", True),
                    wall_s=0.042,
                    decode_tps=0.0,
                    race_passed=race_passed,
                )
        return tripped(load_runs(conn, "s"))


def test_each_tripwire_names_its_model_or_check_and_the_cause(settings: Settings) -> None:
    lines = _sweep(settings)
    assert (
        "model a: its first 3 jobs all ended in infrastructure verdicts (server_error 3); "
        "check its server before it spends the sweep"
    ) in lines
    assert "check RaceDetector failed in all 6 compiled runs of 2 models: suspect the grader" in lines
    assert "model c: 3 generation(s) report a decode rate of 0 tok/s" in lines
    assert "model c: 3 generations took exactly 0.042 s (under 1 s): not a model generating" in lines
    assert not any("model b" in line or "OnlineFlow" in line for line in lines)


def test_a_check_one_model_passes_is_not_suspect(settings: Settings) -> None:
    assert not any("RaceDetector" in line for line in _sweep(settings, race_passed=True))


@pytest.mark.parametrize("override", [{"infra_first_jobs": False}, {"infra_first_jobs": 4}])
def test_the_sweep_file_turns_a_tripwire_off_or_moves_its_threshold(
    settings: Settings, override: dict[str, Any]
) -> None:
    lines = _sweep(settings, override)
    assert not any(line.startswith("model a") for line in lines)
    assert any("RaceDetector" in line for line in lines)


def _drafting(
    settings: Settings, drafts: dict[str, tuple[int, int]], tripwires: dict[str, Any] | None = None
) -> list[str]:
    with connect(settings) as conn:
        with conn.transaction():
            definition = {"models": list(drafts), **({"tripwires": tripwires} if tripwires else {})}
            add_sweep(conn, "s", definition, [Model(m, m.upper(), "f", None, None) for m in drafts])
            for model, (drafted, accepted) in drafts.items():
                for seed in (1, 2):
                    timings = {"predicted_per_second": 20.0, "draft_n": drafted, "draft_n_accepted": accepted}
                    generation = {"outcome": "ok", "finish_reason": "stop", "decode_tps": 20.0, "wall_s": 60.0 + seed,
                                  "timings": timings}  # fmt: skip
                    add_run(conn, "s", model, "v2", seed, generation)
        return tripped(load_runs(conn, "s"))


def test_a_drafter_that_drafts_nothing_or_is_rarely_accepted_is_flagged(settings: Settings) -> None:
    lines = _drafting(settings, {"idle": (0, 0), "poor": (100, 5), "good": (100, 60)})
    assert len(lines) == 2, lines
    assert lines[0].startswith("model idle: its draft model drafted nothing in 2 generation(s)")
    assert lines[1].startswith("model poor: 10/200 draft tokens accepted (5%, under 10%)")


def test_the_sweep_file_moves_the_draft_acceptance_threshold(settings: Settings) -> None:
    assert _drafting(settings, {"poor": (100, 5)}, {"draft_acceptance": 0.04}) == []
