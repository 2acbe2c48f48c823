"""The README's main command, end to end: a real llama-server, real workers, the demo sweep.

It asserts that the pipeline ran, not that the tiny model writes good Go: every job reaches a
verdict, token counts and tok/s come from llama-server's own timings, and grades are stored.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from exams.registry import get_exam, job_exams
from scheduler.core.settings import Settings
from testkit.workers import query
from tests.support.availability import require_service
from tests.support.paths import REPO_ROOT


def test_the_llama_swap_config_serves_every_catalog_model_under_its_catalog_id() -> None:
    config = yaml.safe_load((REPO_ROOT / "ops/llama-swap/config.yaml").read_text())
    catalog = yaml.safe_load((REPO_ROOT / "scheduler/sweeps/models.yaml").read_text())["models"]
    assert set(config["models"]) == set(catalog)
    assert config["sendLoadingState"] is False
    for model_id, options in catalog.items():
        if (options.get("generation") or {}).get("reasoning") is False:
            enforced = config["models"][model_id]["filters"]["setParams"]["chat_template_kwargs"]
            assert enforced == {"enable_thinking": False}, model_id


def local_processes_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    """ops/local_processes.py (ops/ is scripts, not a package)."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / "ops"))
    import local_processes  # type: ignore[import-not-found]

    return local_processes


def demo_binary_and_model(monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The llama-server `make install` chose and the demo's GGUF; skipped locally when missing (fails in CI)."""
    local_processes = local_processes_module(monkeypatch)
    try:
        return local_processes.llama_server_binary(), local_processes.model_file()
    except local_processes.Missing as exc:
        require_service("llama-server and the demo model (make install)", exc)
        raise


def run_demo(
    settings: Settings, *args: str, timeout_s: float = 1450, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python ops/run_local.py ARGS` against the test's own Postgres and Redis."""
    environ = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url, **env}
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "ops/run_local.py"), *args],
        check=False, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=timeout_s,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_local_run_takes_the_demo_sweep_through_llama_server_to_stored_grades(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary, _ = demo_binary_and_model(monkeypatch)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "ops/run_local.py"), "--timeout-s", "1300"],
        check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1450,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    out = done.stdout
    assert (
        "chat template: Gemma turns (--no-jinja --chat-template gemma), checked through /apply-template"
        in out
    )
    assert "decode rate (llama-server timings)" in out
    # Off a terminal, progress comes as plain lines while the sweep runs, not as one bar at the end.
    assert re.search(r"^\[\d+m\d\ds\] demo: \d+/\d+ done", out, flags=re.MULTILINE), out[-4000:]
    assert "None" not in out.split("chat template:")[1]
    demo = yaml.safe_load((REPO_ROOT / "scheduler/sweeps/demo.yaml").read_text())
    jobs = query(
        settings.database_url, "SELECT id, exam, seed, state, verdict FROM jobs WHERE sweep = 'demo'"
    )
    tasks = sorted(e for entry in demo["exams"] for e in job_exams(entry))
    assert sorted((j["exam"], j["seed"]) for j in jobs) == [
        (e, s) for e in tasks for s in sorted(demo["seeds"])
    ]
    assert all(j["state"] == "done" and j["verdict"] for j in jobs), jobs
    # The closing sentence is the one its verdicts call for (the cases are tested below).
    ops_dir = str(REPO_ROOT / "ops")
    sys.path.insert(0, ops_dir)
    try:
        from run_local import grading_statement  # type: ignore[import-not-found]  # ops/ is scripts, not a package
    finally:
        sys.path.remove(ops_dir)
    labels = query(
        settings.database_url, "SELECT DISTINCT m.label FROM models m JOIN jobs j ON j.model = m.id"
    )
    statement = grading_statement(
        [j["verdict"] for j in jobs], " and ".join(sorted(r["label"] for r in labels))
    )
    assert " ".join(statement.split()) in " ".join(out.split()), out[-3000:]
    generations = query(
        settings.database_url,
        "SELECT outcome, completion_tokens, decode_tps, (timings->>'predicted_per_second')::float AS server_tps,"
        " (timings->>'predicted_n')::int AS server_n, server_info FROM generations",
    )
    # The demo has two turns: a job has a second generation (and grade) only when its first was graded
    # as the model's failure; each turn is generated and graded once.
    turns = query(
        settings.database_url,
        "SELECT g.job_id, g.turn, g.outcome, r.verdict, r.feedback FROM generations g"
        " JOIN grades r ON r.generation_id = g.id ORDER BY g.job_id, g.turn",
    )
    by_job: dict[int, list[dict[str, object]]] = {}
    for t in turns:
        by_job.setdefault(int(t["job_id"]), []).append(t)
    assert sorted(by_job) == sorted(j["id"] for j in jobs)
    for job_turns in by_job.values():
        assert [t["turn"] for t in job_turns] in ([1], [1, 2]), job_turns
        first = job_turns[0]
        repaired = first["outcome"] == "ok" and first["verdict"] in (
            "test_fail",
            "compile_fail",
            "extract_fail",
        )
        assert (len(job_turns) == 2) == repaired and (first["feedback"] is not None) == repaired, job_turns
    assert len(generations) == len(turns)
    # A generation that ran past the sweep's timeout (a machine busy with other work) is an infra
    # verdict without timings; every finished one carries llama-server's own numbers.
    finished = [g for g in generations if g["outcome"] in ("ok", "truncated")]
    assert finished, generations
    assert all(g["outcome"] in ("ok", "truncated", "gen_timeout") for g in generations), generations
    for g in finished:
        assert g["completion_tokens"] and g["completion_tokens"] == g["server_n"], g
        assert g["decode_tps"] and g["decode_tps"] == g["server_tps"], g
        assert g["server_info"].get("build_info"), g
    # The base model is asked as a completion of each task's file (its catalog entry): every answer
    # that ended by itself reached the graders as a file, so it was built (a model verdict, never
    # extract_fail); the server's build and binary are recorded with each generation.
    styles = query(settings.database_url, "SELECT DISTINCT params->>'prompt_style' AS style FROM jobs")
    assert [s["style"] for s in styles] == ["completion"]
    stopped = query(
        settings.database_url,
        # each generation's own grade: with two turns a job's verdict is its last turn's
        "SELECT r.verdict FROM generations g JOIN grades r ON r.generation_id = g.id WHERE g.finish_reason = 'stop'",
    )
    assert all(j["verdict"] in ("ok", "test_fail", "compile_fail") for j in stopped), stopped
    assert all(g["server_info"].get("binary") == str(binary) for g in finished), finished
    grades = query(settings.database_url, "SELECT verdict, max_score, grader_version FROM grades")
    assert len(grades) == len(turns)
    assert {g["max_score"] for g in grades} == {get_exam(e).max_score for e in tasks}
    workers = query(
        settings.database_url, "SELECT role, served_models, loaded_model FROM workers ORDER BY role"
    )
    assert [(w["role"], w["served_models"]) for w in workers] == [("cpu", []), ("gpu", ["gemma3-270m-q4km"])]
    # A bare llama-server has no llama-swap /running: the model it serves is the one it has loaded.
    assert workers[1]["loaded_model"] == "gemma3-270m-q4km"


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_the_demo_refuses_a_llama_server_that_would_prompt_gemma_in_chatml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_processes = local_processes_module(monkeypatch)
    binary, model = demo_binary_and_model(monkeypatch)
    children = local_processes.Children(tmp_path)
    try:
        fallback = local_processes.start_llama_server(
            children, binary, model, dict(os.environ), chat_template=None
        )
        with pytest.raises(local_processes.Missing) as refused:
            local_processes.check_chat_template(fallback)
        message = str(refused.value)
        assert (
            "<|im_start|>user" in message
            and "--no-jinja --chat-template gemma" in message
            and "\n" not in message
        )
        gemma = local_processes.start_llama_server(children, binary, model, dict(os.environ))
        assert "Gemma turns" in local_processes.check_chat_template(gemma)
    finally:
        children.stop_all()


def test_the_demo_ends_saying_whether_any_answer_was_graded_on_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(REPO_ROOT / "ops"))
    from run_local import grading_statement

    graded = grading_statement(["test_fail", "truncated", "extract_fail"], "Gemma 3 270M")
    assert graded.startswith("real grades: 1 of 3 answers had their Go code compiled")
    unbuildable = grading_statement(["extract_fail", "truncated", None], "Gemma 3 270M")
    assert unbuildable.startswith("no real grade: none of the 3 answers held Go code the graders could build")
    assert "Gemma 3 270M did not write a program" in unbuildable
    unfinished = grading_statement(["truncated", "truncated"], "Gemma 3 270M")
    assert unfinished.startswith("no real grade: every answer ran into max_tokens (2 truncated)")
    assert "quieter" not in unfinished
    infra = grading_statement(["gen_timeout", "gen_timeout", "truncated"], "Gemma 3 270M")
    assert infra.startswith(
        "no real grade: every run ended in an infrastructure outcome (2 gen_timeout, 1 truncated)"
    )
    assert "did not write" not in infra


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_the_demo_ends_at_once_naming_the_pause_when_the_tripwire_pauses_its_model(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_processes = local_processes_module(monkeypatch)
    try:
        local_processes.model_file()  # the demo's own model file, here served by a stand-in that fails
    except local_processes.Missing as exc:
        require_service("the demo model (make install)", exc)
    demo = yaml.safe_load((REPO_ROOT / "scheduler/sweeps/demo.yaml").read_text())
    assert "tripwires" not in demo  # the demo ships the default tripwires; this test keeps them
    stand_in = tmp_path / "llama-server"
    stand_in.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m testkit.fakes.fake_llama_server "$@"\n')
    stand_in.chmod(0o755)
    # Each generation fails after 2 s with a 500, not retried; the reconciler passes every 2 s.
    done = run_demo(
        settings, "--timeout-s", "300", timeout_s=350,
        LLAMA_SERVER=str(stand_in), GENERATION_RETRIES="0", RECONCILE_INTERVAL_S="2",
    )  # fmt: skip
    failed = [line for line in done.stdout.splitlines() if line.startswith("local run failed:")]
    assert done.returncode == 1 and len(failed) == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "the model gemma3-270m-q4km was paused (" in failed[0]
    assert "scheduler resume --model gemma3-270m-q4km" in failed[0] and "llama-server.log" in failed[0]
    jobs = query(settings.database_url, "SELECT state, verdict FROM jobs WHERE sweep = 'demo'")
    states = [j["state"] for j in jobs]
    assert "queued" in states, jobs  # the paused model's jobs were waiting: the demo did not wait on them
    assert {j["verdict"] for j in jobs if j["state"] == "done"} == {"server_error"}
    generations = query(settings.database_url, "SELECT server_info FROM generations")
    assert {g["server_info"].get("build_info") for g in generations} == {"b0000-fake"}
    assert {g["server_info"].get("binary") for g in generations} == {str(stand_in)}


def test_a_missing_or_unreadable_model_file_is_one_line_and_exit_2(
    settings: Settings, tmp_path: Path
) -> None:
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_text("not a model")
    for path, why in (
        (tmp_path / "absent.gguf", "no such file"),
        (not_gguf, "is not a GGUF file"),
        (tmp_path, "is a directory"),
    ):
        done = run_demo(settings, "--model", str(path), timeout_s=60)
        lines = done.stdout.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stdout + done.stderr
        assert lines[0].startswith(f"local run failed: MODEL={path}") and why in lines[0]


def test_the_demo_ends_in_one_line_once_llama_server_stops_answering(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local_processes = local_processes_module(monkeypatch)
    import run_local

    silent = f"http://127.0.0.1:{local_processes.free_port()}"  # nothing listens there
    watch = run_local.ServerWatch(silent, local_processes.Children(tmp_path))
    watch.check()  # within SERVER_SILENT_S of its last answer (here: its start) it is given time
    monkeypatch.setattr(run_local, "SERVER_SILENT_S", 0.0)
    monkeypatch.setattr(run_local, "HEALTH_EVERY_S", 0.0)
    with pytest.raises(local_processes.Missing) as stopped:
        watch.check()
    message = str(stopped.value)
    assert message.startswith(f"llama-server at {silent} stopped answering /health") and "\n" not in message
    assert f"{tmp_path}/llama-server.log" in message
