"""Real worker subprocesses, jobs written straight into Postgres, and waits on what they do.

Each worker runs `worker gpu` / `worker cpu` in a process group of its own, so a test can
SIGKILL the whole worker (main process and pool children) as a machine's death would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
from celery import Celery
from psycopg.rows import dict_row

from scheduler.core.queues import GENERATE_TASK, GRADE_TASK, GRADING_QUEUE, UNACKED_KEY, generation_queue
from scheduler.db import sweeps as db_sweeps
from scheduler.db.catalog import upsert_models
from scheduler.db.sweeps import JobKeys, enqueue_jobs, insert_sweep, sweep_definition
from scheduler.db.vocabulary import AttemptState, JobState, WorkerState
from scheduler.results.jobs import params_hash
from scheduler.sweeps.catalog import Model

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0
# The GPU dispatch at test speed: fake models load in 0.5 s and a job is about 1 s.
QUICK_DISPATCH_ENV = {
    "DISPATCH_POLL_S": "0.3",
    "DISPATCH_LEASE_S": "2",
    "DISPATCH_LOAD_S": "0.5",
    "DISPATCH_JOB_TOKENS": "700",
}


@dataclass
class WorkerProcess:
    """One running `worker gpu|cpu`: its node name, process and log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def kill(self) -> None:
        """SIGKILL the worker's whole process group (no warm shutdown, no acks)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):  # pool children that outlived their parent
            os.killpg(self.process.pid, signal.SIGKILL)

    def log(self) -> str:
        """What the worker printed (for failure messages)."""
        return self.log_path.read_text(errors="replace")[-6000:]


@dataclass
class Fleet:
    """Workers started by a test, stopped at its end."""

    env: dict[str, str]
    log_dir: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start(self, role: str, name: str, *args: str, **env: str) -> WorkerProcess:
        """Start `worker <role> --name <name>` and wait until it has announced itself."""
        log_path = self.log_dir / f"{name.replace('@', '_')}.log"
        cmd = [sys.executable, "-c", "from worker.cli import main; main()", role, "--name", name, *args]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(name, process, log_path)
        self.workers.append(worker)
        wait_for(lambda: _announced(self.env["DATABASE_URL"], name, process), START_TIMEOUT_S, worker.log)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop(timeout_s=10)


def _announced(database_url: str, name: str, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"worker {name} exited with {process.returncode}")
    rows = query(
        database_url,
        "SELECT 1 FROM workers WHERE name = %s AND info->>'state' = %s",
        (name, WorkerState.RUNNING),
    )
    return bool(rows)


@contextmanager
def fleet(database_url: str, redis_url: str, log_dir: Path, **env: str) -> Iterator[Fleet]:
    """A Fleet whose workers see this test's database, Redis and extra settings.

    Speed probes are off unless `env` turns them on (SPEED_PROBE_TOKENS): a test that watches the
    server's requests for a job's would otherwise see the probe's first."""
    base = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PYTHONPATH": str(REPO_ROOT),
            "SPEED_PROBE_TOKENS": "0"}  # fmt: skip
    group = Fleet({**base, **env}, log_dir)
    try:
        yield group
    finally:
        group.stop_all()


@contextmanager
def flower_process(
    env: Mapping[str, str], basic_auth: str, port: int, db: Path, log_path: Path
) -> Iterator[None]:
    """`worker flower` on `port` with `env` and FLOWER_BASIC_AUTH; stopped (SIGTERM) at the end."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from worker.cli import main; main()",
                "flower",
                f"--port={port}",
                f"--db={db}",
            ],
            cwd=REPO_ROOT,
            env={**env, "FLOWER_BASIC_AUTH": basic_auth},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def query(database_url: str, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Rows of one query, on a short-lived connection."""
    with psycopg.connect(database_url, row_factory=dict_row, autocommit=True) as conn:
        return conn.execute(sql, tuple(params)).fetchall()


def insert_jobs(
    database_url: str,
    model: str,
    exams: Iterable[str],
    seeds: Iterable[int],
    params: Mapping[str, Any],
    sweep: str = "test",
) -> list[int]:
    """Write a sweep (unless it exists), its model and queued jobs through the DB layer, as `scheduler
    submit` records them (without sending messages); return the new jobs' ids in (exam, seed) order."""
    pairs = [(exam, seed) for exam in exams for seed in seeds]
    keys = JobKeys(
        sweep=sweep,
        models=[model] * len(pairs),
        exams=[exam for exam, _ in pairs],
        seeds=[seed for _, seed in pairs],
        hashes=[params_hash(params)] * len(pairs),
    )
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        upsert_models(conn, [Model(id=model, label=model, family=model, quant=None, size_gb=None)])
        if sweep_definition(conn, sweep) is None:
            insert_sweep(conn, sweep, {})
        db_sweeps.insert_jobs(conn, keys, [json.dumps(dict(params))] * len(pairs))
        rows = enqueue_jobs(conn, keys, rerun=False, requeue=False)
    by_key = {(r["exam"], r["seed"]): int(r["id"]) for r in rows}
    return [by_key[pair] for pair in pairs]


class Producer:
    """Sends task messages by name, as the scheduler does (never importing the worker)."""

    def __init__(self, redis_url: str) -> None:
        self.app = Celery("quantsweep-test", broker=redis_url, set_as_current=False)
        self.app.conf.update(
            task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True
        )

    def generate(self, job_id: int, model: str) -> None:
        self.app.send_task(GENERATE_TASK, args=[job_id], queue=generation_queue(model), ignore_result=True)

    def grade(self, job_id: int, **kwargs: Any) -> None:
        self.app.send_task(GRADE_TASK, args=[job_id], kwargs=kwargs, queue=GRADING_QUEUE, ignore_result=True)

    def close(self) -> None:
        self.app.close()


def wait_for(
    condition: Callable[[], Any],
    timeout_s: float,
    describe: Callable[[], str] = lambda: "",
    interval_s: float = 0.2,
) -> Any:
    """Poll `condition` until it returns something truthy; fail with `describe()` on timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s:g} s\n{describe()}")
        time.sleep(interval_s)


def jobs_done(database_url: str, job_ids: Iterable[int]) -> bool:
    """True when every job is in state done."""
    ids = list(job_ids)
    rows = query(
        database_url, "SELECT count(*) AS n FROM jobs WHERE id = ANY(%s) AND state = %s", (ids, JobState.DONE)
    )
    return rows[0]["n"] == len(ids)


def broker_idle(redis_url: str, queues: Iterable[str]) -> bool:
    """True when the queues are empty and no message is delivered but unacknowledged."""
    client = redis.Redis.from_url(redis_url)
    try:
        waiting = sum(int(client.llen(q)) for q in queues)
        return waiting == 0 and int(client.hlen(UNACKED_KEY)) == 0
    finally:
        client.close()


def results_per_job(database_url: str, job_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per job: its state and verdict, and how many attempts, generations and grades it has."""
    rows = query(
        database_url,
        "SELECT j.id, j.state, j.verdict,"
        " (SELECT count(*) FROM attempts a WHERE a.job_id = j.id) AS attempts,"
        f" (SELECT count(*) FROM attempts a WHERE a.job_id = j.id AND a.state = '{AttemptState.ABANDONED}')"
        " AS abandoned,"
        " (SELECT count(*) FROM generations g WHERE g.job_id = j.id) AS generations,"
        " (SELECT count(*) FROM grades r JOIN generations g ON g.id = r.generation_id"
        "   WHERE g.job_id = j.id) AS grades"
        " FROM jobs j WHERE j.id = ANY(%s) ORDER BY j.id",
        (list(job_ids),),
    )
    return {r["id"]: r for r in rows}


def run_jobs(
    database_url: str,
    redis_url: str,
    log_dir: Path,
    jobs: Mapping[int, str],
    **env: str,
) -> None:
    """Run `jobs` (job id -> model) to done on one `worker gpu` and one `worker cpu` (two processes),
    started with `env` (LLAMA_SWAP_URL and the rest), and wait until the broker is idle again."""
    producer = Producer(redis_url)
    try:
        with fleet(database_url, redis_url, log_dir, **env) as f:
            f.start("gpu", "gpu@replay")
            f.start("cpu", "cpu@replay", "--concurrency", "2")
            for job_id, model in jobs.items():
                producer.generate(job_id, model)

            def describe() -> str:
                return "\n".join(f"--- {w.name}\n{w.log()}" for w in f.workers)

            wait_for(lambda: jobs_done(database_url, jobs), 240, describe)
            queues = [*{generation_queue(m) for m in jobs.values()}, GRADING_QUEUE]
            wait_for(lambda: broker_idle(redis_url, queues), 60, describe)
    finally:
        producer.close()
