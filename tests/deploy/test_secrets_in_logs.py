"""Passwords reach quantsweep only inside REDIS_URL, DATABASE_URL and FLOWER_BASIC_AUTH (as in
compose.yaml) and never appear in what its processes print: a grading worker's and Flower's logs
against a password-protected Redis, and the one-line errors of a wrong password."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testkit.services import RedisServer, free_port
from testkit.workers import REPO_ROOT, fleet, flower_process, wait_for

REDIS_SECRET = "r3dis-Secret-77"
PG_SECRET = "pg-Secret-88"  # trust auth on the test server accepts any password
FLOWER_SECRET = "fl0wer-Secret-99"


@pytest.fixture
def protected_redis(tmp_path: Path) -> Iterator[int]:
    """A private redis-server that requires REDIS_SECRET."""
    server = RedisServer(tmp_path / "protected-redis", password=REDIS_SECRET)
    server.start()
    try:
        yield server.port
    finally:
        server.stop()


@pytest.mark.slow
def test_worker_and_flower_logs_never_show_a_password(
    database_url: str, protected_redis: int, tmp_path: Path
) -> None:
    redis_url = f"redis://:{REDIS_SECRET}@127.0.0.1:{protected_redis}/0"
    pg_url = database_url.replace("postgresql://postgres@", f"postgresql://postgres:{PG_SECRET}@", 1)
    assert PG_SECRET in pg_url, "the test database URL has a form this test does not expect"
    port = free_port()
    with fleet(pg_url, redis_url, tmp_path) as workers:
        worker = workers.start("cpu", "cpu@secrets", "--concurrency", "1")
        flower_log = tmp_path / "flower.log"
        with flower_process(workers.env, f"ops:{FLOWER_SECRET}", port, tmp_path / "flower.db", flower_log):

            def flower_sees_the_worker() -> bool:
                try:
                    seen = httpx.get(
                        f"http://127.0.0.1:{port}/api/workers", auth=("ops", FLOWER_SECRET), timeout=5
                    )
                except httpx.HTTPError:
                    return False
                return seen.status_code == 200 and "cpu@secrets" in seen.json()

            wait_for(flower_sees_the_worker, 60, flower_log.read_text)
        worker.stop()
    worker_log, flower_text = worker.log_path.read_text(), flower_log.read_text()
    # The logs name the broker (so this looks where a URL would be printed), masked.
    assert f"127.0.0.1:{protected_redis}" in worker_log
    for text, where in ((worker_log, "worker cpu"), (flower_text, "worker flower")):
        for secret in (REDIS_SECRET, PG_SECRET, FLOWER_SECRET):
            assert secret not in text, f"{where} printed a password"


def test_a_wrong_redis_password_fails_with_one_line_that_hides_it(
    database_url: str, protected_redis: int
) -> None:
    wrong = "not-the-Secret-11"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO_ROOT),
        "REDIS_URL": f"redis://:{wrong}@127.0.0.1:{protected_redis}/0",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import main; main()", "submit", "--sweep", "demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "redis" in lines[0].lower(), lines[0]
    assert wrong not in done.stderr + done.stdout
