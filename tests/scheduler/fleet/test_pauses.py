"""Model pauses: the infra tripwire's rule on constructed verdicts, and the pause, the claim's refusal,
the status and `scheduler resume` against a real Postgres (the fleet itself: test_pause_fleet.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest
import redis
from psycopg.types.json import Jsonb

from scheduler.cli.status import collect, plain_lines
from scheduler.core.errors import NotPausedError
from scheduler.core.queues import PAUSED_MODELS_KEY
from scheduler.core.settings import Settings
from scheduler.db import close_pool, connect
from scheduler.db.lifecycle import GenerationClaim, Refusal, Refused, claim_generation
from scheduler.fleet.pauses import pause_tripped_models, resume
from scheduler.fleet.tripwires import Tripwires, infra_cause
from testkit.workers import query
from tests.support.paths import REPO_ROOT

INFRA = ["server_error", "gen_timeout", "server_error"]


def test_a_model_whose_first_jobs_all_ended_in_infra_verdicts_trips_with_the_counts_as_cause() -> None:
    cause = infra_cause("m", [*INFRA, "ok"], 3)
    assert cause is not None
    assert "model m" in cause and "gen_timeout 1, server_error 2" in cause


@pytest.mark.parametrize(
    ("verdicts", "first"),
    [
        (["server_error", "ok", "server_error", "server_error"], 3),  # a model verdict among the first
        (["server_error", "server_error"], 3),  # not enough finished yet
        (INFRA, None),  # the tripwire turned off
        (["test_fail", "compile_fail", "extract_fail"], 3),  # the model's own failures
    ],
)
def test_the_infra_rule_does_not_trip_on_a_model_verdict_too_few_jobs_or_when_off(
    verdicts: list[str], first: float | None
) -> None:
    assert infra_cause("m", verdicts, first) is None


def test_pause_false_flags_without_pausing_and_pausing_is_the_default() -> None:
    assert Tripwires.of(None).pause and Tripwires.of({"infra_first_jobs": 3}).pause
    assert Tripwires.of({"pause": True}).pause
    assert not Tripwires.of({"pause": False}).pause
    assert Tripwires.of({"infra_first_jobs": False, "tiny_latency_s": 2}) == Tripwires(
        infra_first_jobs=None, tiny_latency_s=2.0
    )


def _sweep(settings: Settings, name: str = "s", tripwires: dict[str, Any] | None = None) -> None:
    with connect(settings) as conn:
        for model in ("m-bad", "m-good"):
            conn.execute(
                "INSERT INTO models (id, label, family) VALUES (%s, %s, 'f') ON CONFLICT DO NOTHING",
                (model, model),
            )
        definition = {"models": ["m-bad", "m-good"], **({"tripwires": tripwires} if tripwires else {})}
        conn.execute("INSERT INTO sweeps (name, definition) VALUES (%s, %s)", (name, Jsonb(definition)))
        conn.commit()


def _jobs(settings: Settings, model: str, verdicts: Sequence[str | None], sweep: str = "s") -> list[int]:
    """Jobs of `model`, finished in this order with these verdicts (None: still queued)."""
    ids = []
    with connect(settings) as conn:
        for verdict in verdicts:
            done = verdict is not None
            row = conn.execute(
                "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state, verdict, finished_at)"
                " VALUES (%s, %s, 'v1', (SELECT count(*) FROM jobs), 'h', '{}', %s, %s,"
                "  CASE WHEN %s THEN clock_timestamp() END) RETURNING id",
                (sweep, model, "done" if done else "queued", verdict, done),
            ).fetchone()
            assert row is not None
            ids.append(int(row["id"]))
        conn.commit()
    return ids


def _paused(settings: Settings) -> list[str]:
    return [
        r["model"]
        for r in query(settings.database_url, "SELECT model FROM model_pauses WHERE resumed_at IS NULL")
    ]


def _redis_copy(settings: Settings) -> set[str]:
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        return set(client.smembers(PAUSED_MODELS_KEY))  # type: ignore[arg-type]
    finally:
        client.close()


def test_the_reconcilers_duty_pauses_a_tripped_model_once_and_names_it_in_status(settings: Settings) -> None:
    _sweep(settings)
    _jobs(settings, "m-bad", [*INFRA, None])
    _jobs(settings, "m-good", ["ok", "test_fail", "server_error", None])

    assert [p.model for p in pause_tripped_models(settings)] == ["m-bad"]
    assert _redis_copy(settings) == {"m-bad"}
    redis.Redis.from_url(settings.redis_url).delete(PAUSED_MODELS_KEY)  # Redis lost it
    assert pause_tripped_models(settings) == [], "a model already paused is not paused twice"
    assert _redis_copy(settings) == {"m-bad"}, "the next pass did not rebuild the dispatch's copy"
    assert _paused(settings) == ["m-bad"]
    with connect(settings) as conn:
        lines = plain_lines(collect(conn, "s"))
    line = next(line for line in lines if line.startswith("paused:"))
    assert "m-bad" in line and "server_error 2" in line and "scheduler resume --model m-bad" in line


def test_a_paused_models_job_is_refused_without_an_attempt_and_other_models_are_claimed(
    settings: Settings,
) -> None:
    _sweep(settings)
    _jobs(settings, "m-bad", INFRA)
    (bad,) = _jobs(settings, "m-bad", [None])
    (good,) = _jobs(settings, "m-good", [None])
    pause_tripped_models(settings)
    close_pool()

    refused = claim_generation(bad, "gpu@a", "t1", 60)
    assert refused == Refused(Refusal.PAUSED, "queued")
    assert isinstance(claim_generation(good, "gpu@a", "t2", 60), GenerationClaim)
    assert (
        query(settings.database_url, "SELECT count(*) AS n FROM attempts WHERE job_id = %s", (bad,))[0]["n"]
        == 0
    )
    assert (
        query(settings.database_url, "SELECT state FROM jobs WHERE id = %s", (bad,))[0]["state"] == "queued"
    )

    resume(settings, "m-bad")
    assert _redis_copy(settings) == set(), "the resume did not reach the dispatch's copy"
    assert isinstance(claim_generation(bad, "gpu@a", "t3", 60), GenerationClaim)
    close_pool()


def test_after_a_resume_only_jobs_finished_since_count_towards_a_new_pause(settings: Settings) -> None:
    _sweep(settings)
    _jobs(settings, "m-bad", [*INFRA, None, None])
    pause_tripped_models(settings)
    resume(settings, "m-bad")
    assert pause_tripped_models(settings) == [], "the same jobs paused the model again"

    _jobs(settings, "m-bad", ["server_error", "server_error"])
    assert pause_tripped_models(settings) == []
    _jobs(settings, "m-bad", ["gen_timeout", None])
    assert [p.model for p in pause_tripped_models(settings)] == ["m-bad"]


def test_a_sweep_with_pause_false_or_the_tripwire_off_pauses_nothing(settings: Settings) -> None:
    _sweep(settings, "flag-only", {"pause": False})
    _jobs(settings, "m-bad", [*INFRA, None], sweep="flag-only")
    _sweep(settings, "off", {"infra_first_jobs": False})
    _jobs(settings, "m-good", [*INFRA, None], sweep="off")
    assert pause_tripped_models(settings) == []
    assert _paused(settings) == []


def test_resuming_a_model_that_is_not_paused_is_one_clear_error(settings: Settings) -> None:
    with pytest.raises(NotPausedError, match="model 'm-x' is not paused"):
        resume(settings, "m-x")
    done = subprocess.run(
        [sys.executable, "-m", "scheduler", "resume", "--model", "m-x"],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "scheduler: error: model 'm-x' is not paused (`scheduler status` lists the paused models)"
    ]


def test_a_sweep_file_may_say_pause_false_to_flag_without_pausing(settings: Settings, tmp_path: Any) -> None:
    import shutil

    from scheduler.sweeps.catalog import load_catalog, load_sweep

    shutil.copy(settings.sweeps_dir / "models.yaml", tmp_path / "models.yaml")
    (tmp_path / "flag.yaml").write_text(
        "models: [gemma4-26b-q4km]\nexams: [v2]\nseeds: [42]\n"
        "tripwires: {pause: false, infra_first_jobs: 2}\n"
    )
    sweep = load_sweep(tmp_path, "flag", load_catalog(tmp_path), ["v2"])
    assert not Tripwires.of(sweep.tripwires).pause
