"""`worker flower`: basic auth required, persistent state, and our workers and queue lengths in its API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from scheduler.core.queues import GRADING_QUEUE
from scheduler.core.settings import Settings
from testkit.services import free_port
from testkit.workers import REPO_ROOT, Producer, fleet, flower_process, query, wait_for
from tests.support.reporting import load_recorded
from worker.flower import FlowerConfigError, check_basic_auth

AUTH = ("ops", "s3cret-pw")


def test_flower_refuses_to_start_without_credentials() -> None:
    for bad in (None, "", "user", "user:", ":pw", "a:b,c"):
        with pytest.raises(FlowerConfigError):
            check_basic_auth(bad)
    assert check_basic_auth("a:b,c:d") == "a:b,c:d"


def test_worker_flower_without_basic_auth_exits_with_one_line(settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FLOWER_BASIC_AUTH"}
    proc = subprocess.run(
        [sys.executable, "-c", "from worker.cli import main; main()", "flower"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "FLOWER_BASIC_AUTH=user:password" in proc.stderr and "Traceback" not in proc.stderr


def _get(port: int, path: str, auth: Any = AUTH) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}", auth=auth, timeout=10)


@pytest.mark.slow
def test_flower_shows_our_workers_and_queue_lengths_while_jobs_wait(
    settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    # Stored v2 responses to regrade: a single cpu process leaves all but one waiting in `cpu`.
    load_recorded(settings)
    port, db = free_port(), tmp_path / "flower.db"
    with fleet(settings.database_url, redis_url, tmp_path) as workers:
        workers.start("cpu", "cpu@flower-test", "--concurrency", "1")
        with flower_process(workers.env, f"{AUTH[0]}:{AUTH[1]}", port, db, tmp_path / "flower.log"):
            wait_for(lambda: _up(port), 60, lambda: (tmp_path / "flower.log").read_text())
            assert _get(port, "/api/workers", auth=None).status_code == 401
            assert _get(port, "/api/workers", auth=("ops", "wrong")).status_code == 401

            rows = query(
                settings.database_url,
                "SELECT j.id AS job, g.id AS gen FROM jobs j JOIN generations g ON g.job_id = j.id"
                " WHERE j.exam = 'v2' ORDER BY j.id LIMIT 6",
            )
            producer = Producer(redis_url)
            for row in rows:
                producer.grade(row["job"], generation_id=row["gen"], regrade=True, grade_round=1)
            producer.close()

            def cpu_queue_length() -> int | None:
                body = _get(port, "/api/queues/length").json()
                lengths = {q["name"]: q["messages"] for q in body["active_queues"]}
                return lengths.get(GRADING_QUEUE) or None

            waiting = wait_for(cpu_queue_length, 60, lambda: (tmp_path / "flower.log").read_text())
            assert waiting >= 1
            workers_seen = wait_for(lambda: _get(port, "/api/workers").json() or None, 60)
            assert "cpu@flower-test" in workers_seen
            queues = {q["name"] for q in workers_seen["cpu@flower-test"].get("active_queues", [])}
            assert queues == {GRADING_QUEUE}
    assert any(p.name.startswith("flower.db") for p in tmp_path.iterdir()), "no persistent state written"


def _up(port: int) -> bool:
    try:
        return _get(port, "/healthcheck", auth=None).status_code == 200
    except httpx.HTTPError:
        return False


def concrete_path(pattern: str) -> str:
    """A request path matching one of Flower's route patterns (`/api/task/info/(.*)` -> `.../x`)."""
    path = pattern.rstrip("$").replace("(.+)", "x").replace("(.*)", "x").replace("/?", "")
    return "/no-such-page" if path == ".*" else path


def test_every_route_flower_registers_asks_for_the_login_but_a_bare_liveness_answer(
    settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    from flower.urls import handlers

    patterns = [h.regex.pattern if hasattr(h, "regex") else h[0] for h in handlers]
    assert "/metrics" in {p.rstrip("$") for p in patterns}
    port = free_port()
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": redis_url}
    log = tmp_path / "flower.log"
    with flower_process(env, f"{AUTH[0]}:{AUTH[1]}", port, tmp_path / "flower.db", log):
        wait_for(lambda: _up(port), 60, log.read_text)
        open_answers = {}
        for pattern in patterns:
            path = concrete_path(pattern)
            for method in ("GET",) if path == "/healthcheck" else ("GET", "POST"):
                response = httpx.request(method, f"http://127.0.0.1:{port}{path}", timeout=10)
                if response.status_code not in (401, 404):
                    open_answers[f"{method} {path}"] = (response.status_code, response.text)
        assert open_answers == {"GET /healthcheck": (200, "OK")}
        assert _get(port, "/metrics").status_code == 200  # the login still opens it
        assert _get(port, "/metrics", auth=("ops", "wrong")).status_code == 401
