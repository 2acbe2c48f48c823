"""A sweep on real processes, and the single faults it must survive (tests/worker/test_chaos.py, bench/chaos.py).

`chaos_rig()` starts a PostgreSQL cluster and a redis-server of its own (testkit/services.py: other
ports, other data folders, never the machine's), a FAKE llama-swap replaying recorded v1
responses (testkit/fakes/own_recordings.py; the only stand-in: no GPU here) with `SLOTS` slots,
and real workers: one `worker gpu` (affinity dispatch, as many generations at once as the fake
reports slots at `/props`) and one `worker cpu` grading with the real Go toolchain. The broker's visibility
timeout is the default (VISIBILITY_TIMEOUT_S unset: 2 hours); only the lease, the reconciler's
and the dispatch's intervals are shortened (`CHAOS_ENV`), so recovery takes seconds, not minutes.

Each fault is injected mid-sweep and then ended (the server or worker started again);
`Outcome` says what became of the sweep's jobs.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from scheduler.core.messages import publish_generate
from scheduler.core.settings import Settings
from scheduler.db.migrate import upgrade
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.services import PostgresServer, RedisServer, free_port
from testkit.workers import Fleet, WorkerProcess, fleet, insert_jobs, query, results_per_job, wait_for

MODEL = "gpt-oss-20b"
PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": 100_000, "timeout_s": 120, "options": {}}
BOUND_S = 180.0  # every job reaches its verdict within this long after the fault ended
DECODE_TPS = 100.0  # a few seconds a recorded v1 response
FAULT_GAP_S = 2.0  # how long a killed or stopped server stays down
SLOTS = 2  # the fake server's slots (llama-server -np): the GPU worker runs this many at once
CHAOS_ENV = {
    "JOB_LEASE_S": "4",
    "RECONCILE_INTERVAL_S": "2",
    "DISPATCH_POLL_S": "1",
    "DISPATCH_LEASE_S": "4",
    "GENERATION_RETRIES": "4",
    "GENERATION_BACKOFF_S": "1",
    "SPEED_PROBE_TOKENS": "16",  # the probe runs too, before the first job (worker/speed_probe.py)
}
GPU, CPU = "gpu@chaos", "cpu@chaos"


@dataclass
class Outcome:
    """What one fault left: every count should be 0, every job done once."""

    fault: str
    jobs: int
    done: int
    lost: int  # finished generations thrown away (an attempt with an outcome whose result was not stored)
    duplicated: int  # jobs with more than one stored generation or grade
    stuck: int  # jobs without a verdict when the bound passed
    recovery_s: float | None  # from the fault's end until every job was done (None: not within the bound)
    rows: dict[int, dict[str, Any]]

    def describe(self) -> str:
        """A line for an assertion message or the bench."""
        return (
            f"{self.fault}: {self.done}/{self.jobs} done, lost {self.lost}, duplicated {self.duplicated}, "
            f"stuck {self.stuck}, recovery {self.recovery_s}"
        )


@dataclass
class ChaosRig:
    """The running services, model server and workers of one chaos run."""

    root: Path
    postgres: PostgresServer
    redis: RedisServer
    database_url: str
    redis_url: str
    fake: FakeLlamaSwapProcess
    fake_port: int
    workers: Fleet
    gpu: WorkerProcess
    cpu: WorkerProcess
    interrupted: list[int] = field(default_factory=list)  # jobs a killed worker left claimed
    replay: Path | None = None  # what the model server replays (None: testkit/fakes/own_recordings.py)
    exam: str = "v1"  # the exam of the jobs `submit` records
    params: dict[str, Any] = field(default_factory=lambda: dict(PARAMS))  # and their params

    def claimed_by_nobody(self, job_ids: list[int], state: str) -> None:
        """Note the jobs a killed worker left in `state` (proves the kill hit a running task)."""
        self.interrupted = [
            r["id"]
            for r in query(
                self.database_url, "SELECT id FROM jobs WHERE id = ANY(%s) AND state = %s", (job_ids, state)
            )
        ]

    @property
    def settings(self) -> Settings:
        """Settings pointing at this rig's database and Redis."""
        return Settings(database_url=self.database_url, redis_url=self.redis_url)

    def submit(self, sweep: str, seeds: list[int]) -> list[int]:
        """Record queued jobs of one sweep (the rig's exam, one per seed) and send their messages, as
        `submit` does."""
        ids = insert_jobs(self.database_url, MODEL, [self.exam], seeds, self.params, sweep=sweep)
        publish_generate(self.settings, [(job_id, MODEL) for job_id in ids])
        return ids

    def state_count(self, job_ids: list[int], state: str) -> int:
        """How many of the jobs are in `state` now."""
        return int(query(self.database_url, "SELECT count(*) AS n FROM jobs WHERE id = ANY(%s) AND state = %s",
                         (job_ids, state))[0]["n"])  # fmt: skip

    def wait_state(self, job_ids: list[int], state: str, timeout_s: float = 120.0) -> None:
        """Wait until one of the jobs is in `state`."""
        wait_for(lambda: self.state_count(job_ids, state) > 0, timeout_s, lambda: self.describe(job_ids),
                 interval_s=0.05)  # fmt: skip

    def describe(self, job_ids: list[int]) -> str:
        """Jobs and worker logs, for a failure message."""
        rows = results_per_job(self.database_url, job_ids)
        logs = "\n".join(f"--- {w.name}\n{w.log()}" for w in self.workers.workers[-3:])
        return f"jobs: {list(rows.values())}\n{logs}"

    def restart_fake(self) -> None:
        """Start the model server again on the same port."""
        self.fake = _start_fake(self.fake_port, self.replay)

    def outcome(self, fault: str, job_ids: list[int], fault_end: float, bound_s: float = BOUND_S) -> Outcome:
        """Wait until every job is done or the bound passes, then count."""
        deadline = fault_end + bound_s
        done_at: float | None = None
        while time.monotonic() < deadline:
            if self.state_count(job_ids, "done") == len(job_ids):
                done_at = time.monotonic()
                break
            time.sleep(0.2)
        rows = results_per_job(self.database_url, job_ids)
        thrown = query(self.database_url, "SELECT count(*) AS n FROM attempts WHERE job_id = ANY(%s)"
                       " AND state = 'abandoned' AND outcome IS NOT NULL", (job_ids,))[0]["n"]  # fmt: skip
        return Outcome(
            fault=fault,
            jobs=len(job_ids),
            done=sum(1 for r in rows.values() if r["state"] == "done"),
            lost=int(thrown),
            duplicated=sum(1 for r in rows.values() if r["generations"] > 1 or r["grades"] > 1),
            stuck=len(job_ids) - sum(1 for r in rows.values() if r["state"] == "done"),  # missing rows too
            recovery_s=None if done_at is None else round(done_at - fault_end, 1),
            rows=rows,
        )


def _start_fake(port: int, replay: Path | None) -> FakeLlamaSwapProcess:
    extra = ("--parallel", str(SLOTS))
    return start_fake_llama_swap(
        [MODEL], load_time_s=0.05, decode_tps=DECODE_TPS, port=port, extra_args=extra, replay=replay
    )


def _create_database(postgres: PostgresServer) -> str:
    with psycopg.connect(postgres.admin_url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE quantsweep")
    url = postgres.url_for("quantsweep")
    upgrade(Settings(database_url=url))
    return url


@contextmanager
def chaos_rig(root: Path, replay: Path | None = None, **env: str) -> Iterator[ChaosRig]:
    """Servers, model server (replaying `replay`, by default our own recordings) and workers of
    their own, stopped at the end."""
    postgres, redis_server = PostgresServer(root / "postgres", durable=True), RedisServer(root / "redis")
    fake_port = free_port()
    fake: FakeLlamaSwapProcess | None = None
    try:
        os.chmod(root, 0o755)  # the postgres user must reach its data folder
        postgres.start()
        redis_server.start()
        database_url = _create_database(postgres)
        redis_url = f"{redis_server.url}/0"
        fake = _start_fake(fake_port, replay)
        worker_env = {**CHAOS_ENV, "LLAMA_SWAP_URL": fake.url, **env}
        worker_env.pop("VISIBILITY_TIMEOUT_S", None)
        (root / "logs").mkdir(exist_ok=True)
        with fleet(database_url, redis_url, root / "logs", **worker_env) as workers:
            workers.env.pop("VISIBILITY_TIMEOUT_S", None)  # the default, whatever the caller's environment
            gpu = workers.start("gpu", GPU, WORKER_HOST="chaos")
            cpu = workers.start("cpu", CPU, "--concurrency", "2")
            rig = ChaosRig(
                root, postgres, redis_server, database_url, redis_url, fake, fake_port, workers, gpu, cpu,
                replay=replay,
            )  # fmt: skip
            try:
                yield rig
            finally:
                fake = rig.fake
    finally:
        if fake is not None:
            fake.stop()
        redis_server.stop()
        postgres.stop("immediate")


# The faults. Each returns when the fault has ended (the server or worker is running again).


def kill_redis(rig: ChaosRig, job_ids: list[int]) -> None:
    """Redis SIGKILLed while a job is graded (workers hold messages), after one is done, and
    started again empty: every message in it is gone."""
    rig.wait_state(job_ids, "done")
    rig.wait_state(job_ids, "grading")
    rig.redis.kill()
    time.sleep(FAULT_GAP_S)
    rig.redis.start()


def restart_postgres(rig: ChaosRig, job_ids: list[int]) -> None:
    """Postgres stopped with `-m immediate` (a crash) while a job generates, then started again."""
    rig.wait_state(job_ids, "generating")
    rig.postgres.stop("immediate")
    time.sleep(FAULT_GAP_S)
    rig.postgres.start()


def kill_gpu_worker(rig: ChaosRig, job_ids: list[int]) -> None:
    """The GPU worker SIGKILLed mid-generation (its whole process group), then started again."""
    rig.wait_state(job_ids, "generating")
    time.sleep(0.5)
    rig.gpu.kill()
    rig.claimed_by_nobody(job_ids, "generating")
    rig.gpu = rig.workers.start("gpu", GPU, WORKER_HOST="chaos")


def kill_cpu_worker(rig: ChaosRig, job_ids: list[int]) -> None:
    """The CPU worker SIGKILLed mid-grade (its whole process group), then started again."""
    rig.wait_state(job_ids, "grading")
    rig.cpu.kill()
    rig.claimed_by_nobody(job_ids, "grading")
    rig.cpu = rig.workers.start("cpu", CPU, "--concurrency", "2")


def kill_model_server(rig: ChaosRig, job_ids: list[int]) -> None:
    """The model server SIGKILLed mid-stream, then started again on the same port."""
    rig.wait_state(job_ids, "generating")
    wait_for(lambda: any("started_at" in r for r in rig.fake.stats()["requests"]), 60, interval_s=0.05)
    time.sleep(0.5)
    os.killpg(rig.fake.process.pid, signal.SIGKILL)
    rig.fake.stop()  # reaps it and closes its pipe
    time.sleep(FAULT_GAP_S)
    rig.restart_fake()


def kill_gpu_worker_between_turns(rig: ChaosRig, job_ids: list[int]) -> None:
    """The GPU worker SIGKILLed once a job's first turn is graded and its second is queued or being
    generated (a conversation whose next turn its machine was to take), then started again."""
    wait_for(
        lambda: query(
            rig.database_url,
            "SELECT 1 FROM jobs WHERE id = ANY(%s) AND turn = 2 AND state IN ('queued', 'generating')",
            (job_ids,),
        ),
        120,
        lambda: rig.describe(job_ids),
        interval_s=0.05,
    )
    rig.gpu.kill()
    rig.interrupted = [
        r["id"]
        for r in query(rig.database_url, "SELECT id FROM jobs WHERE id = ANY(%s) AND turn = 2 AND state <> 'done'",
                       (job_ids,))
    ]  # fmt: skip
    rig.gpu = rig.workers.start("gpu", GPU, WORKER_HOST="chaos")


def no_fault(rig: ChaosRig, job_ids: list[int]) -> None:
    """The baseline: nothing happens once a job generates (the time the remaining work takes)."""
    rig.wait_state(job_ids, "generating")


BASELINE = "no fault (baseline)"
FAULTS: dict[str, Callable[[ChaosRig, list[int]], None]] = {
    "redis killed, restarted empty": kill_redis,
    "postgres stop -m immediate, restarted": restart_postgres,
    "gpu worker SIGKILL mid-generation, restarted": kill_gpu_worker,
    "cpu worker SIGKILL mid-grade, restarted": kill_cpu_worker,
    "model server SIGKILL mid-stream, restarted": kill_model_server,
}
# Faults that need jobs with repair turns (a rig whose exam and params ask for two turns or more).
TURN_FAULTS: dict[str, Callable[[ChaosRig, list[int]], None]] = {
    "gpu worker SIGKILL between turns, restarted": kill_gpu_worker_between_turns,
}


def run_fault(rig: ChaosRig, name: str, sweep: str, seeds: list[int]) -> Outcome:
    """Submit a sweep, inject the fault mid-sweep, and count what became of its jobs."""
    job_ids = rig.submit(sweep, seeds)
    rig.interrupted = []
    (no_fault if name == BASELINE else {**FAULTS, **TURN_FAULTS}[name])(rig, job_ids)
    return rig.outcome(name, job_ids, time.monotonic())
