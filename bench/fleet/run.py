"""Fleet bench: our GPU-affinity dispatch against a naive shared GPU queue, with real processes.

Three simulated machines (``fleet_spec.FLEET``: a FAKE llama-swap each, with its own model
set, decode rate and load time, time scaled ~50x down) and one real ``worker gpu`` next to
each (WORKER_HOST set, concurrency 1), a private real Redis and a scratch Postgres database
per run; the ``episode3`` sweep (66 jobs) is submitted through ``scheduler.sweeps.commands``. Only
generation runs (no CPU worker): the bench measures the GPU side.

Runs, side by side:
- ``affinity``: ours (``worker/dispatch/``; DISPATCH=affinity);
- ``shared queue``: the naive design: every message goes to ONE queue that every GPU worker
  consumes (DISPATCH=shared); a worker handed a job for a model its llama-swap does not serve
  publishes it again and acks (``worker.dispatch.strategies.hand_back_unserved``);
- ``affinity + kill``: ours, one machine's worker and llama-swap SIGKILLed mid-job, at a
  moment when only models other machines also serve are left for it (a machine's exclusive
  models cannot be finished without it: the first version of this bench killed gpu-b while
  two models only gpu-b serves were still queued, and waited for them forever);
- ``affinity + kill + restart``: the same kill, then the machine's llama-swap and worker (same
  WORKER_HOST) start again RESTART_AFTER_S later: the extra time should be about the killed
  job's lost work and its re-run.

Printed per run: model loads per machine (and the minimum), makespan against the lower
bound, GPU idle time while a job the machine could run was still waiting, and whether every
job has exactly one generation, with outcome ok; ours against the best schedule
(``best_schedule.py``) charged the per-job overhead measured in the run. The kill runs also
print what their extra time is made of: the killed job's lost work, how soon it was back on
its queue and by whom, and its re-run.

Every subprocess (Redis, fakes, workers) runs in a process group of its own and is killed
when the bench ends, however it ends; every wait has a deadline, and a stalled run fails
with the jobs it left and the queues' lengths. Logs: a temporary directory, kept and
named on failure.

Run: ``python -m bench.fleet.run`` (about 4 minutes; Postgres must be running, and
``redis-server`` on PATH).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import redis

from bench.fleet.best_schedule import best_schedule
from bench.fleet.fleet_spec import (
    FLEET,
    JOB_TOKENS,
    Machine,
    episode3_jobs,
    lower_bound_s,
    minimum_loads,
    replay_dir,
)
from scheduler.core.messages import producer_app
from scheduler.core.queues import (
    FLEET_MACHINE_KEY_PREFIX,
    GENERATE_TASK,
    SHARED_QUEUE,
    UNACKED_KEY,
    fleet_machine_key,
)
from scheduler.core.settings import Settings
from scheduler.db.migrate import upgrade
from scheduler.db.vocabulary import AttemptState, Outcome, WorkerRole
from scheduler.sweeps.commands import submit_sweep
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.services import ServiceUnavailable, private_services, scratch_database
from testkit.workers import Fleet, fleet, query

SWEEP = "episode3"
# Far beyond any job, as in production: the killed job comes back when the fleet sees its machine's
# record expire (worker.dispatch.controller), not when the broker's visibility timeout would redeliver it.
VISIBILITY_TIMEOUT_S = 300
SCALE_ENV = {
    "DISPATCH_POLL_S": "0.2",
    "DISPATCH_LEASE_S": "2",
    "DISPATCH_LOAD_S": "0.6",
    "DISPATCH_JOB_TOKENS": str(JOB_TOKENS),
    "DISPATCH_BOUNCE_PAUSE_S": "0.05",
    "JOB_LEASE_S": "2",
    "VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
    "GENERATION_BACKOFF_S": "0",
}
PROMPT_TPS = 25000.0  # a real 500 tok/s prompt rate, scaled like the rest
RUN_DEADLINE_S = 300.0  # one run, from submission to the last generation
STALL_S = 45.0  # no new generation for this long: the run has stalled
KILL_NOT_BEFORE = 0.3  # kill no earlier than this fraction of the healthy makespan
KILL_INTO_JOB_S = 0.5  # and only a job that has been generating this long (work is lost)
RESTART_AFTER_S = 1.0  # kill + restart: the machine's llama-swap and worker start again this long after
RESTART_TIMEOUT_S = 60.0  # until the restarted worker's fleet record must appear
POLL_S = 0.25


class BenchError(RuntimeError):
    """A run that cannot finish (stalled, past its deadline, or a process that would not start)."""


_processes: list[subprocess.Popen[bytes]] = []


def _own(process: subprocess.Popen[bytes]) -> None:
    """Kill this process's group when the bench exits (each child runs in a session of its own)."""
    _processes.append(process)


def _kill_all() -> None:
    for process in _processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # orphaned pool children
            os.killpg(process.pid, signal.SIGKILL)


atexit.register(_kill_all)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class KillRecord:
    """The machine killed mid-sweep, when, and the job it was generating."""

    host: str
    at: float
    job_id: int
    model: str
    lost_s: float  # how long the killed job had been generating
    rerun_start: float = 0.0  # when its second attempt started on another machine
    requeued_at: float = 0.0  # when a fleet controller put it back on its queue
    requeued_by: str = ""  # which: a survivor, or (kill + restart) the machine's new worker
    sweep_s: float = 0.0  # seconds into the sweep when it was killed
    rerun_s: float = 0.0  # that attempt's generation time
    rerun_worker: str = ""  # the worker that re-ran it
    restarted_at: float = 0.0  # kill + restart: when its new worker published its fleet record
    stats: dict[str, Any] = field(default_factory=dict)  # its fake llama-swap's stats just before


@dataclass
class RunResult:
    """What one run measured."""

    design: str
    loads: dict[str, int]
    makespan_s: float
    idle_s: dict[str, float]
    generated: int
    exactly_once: bool
    kill: KillRecord | None = None
    model_loads: dict[str, dict[str, int]] = field(default_factory=dict)  # host -> model -> loads
    job_overhead_s: float = 0.0  # a job's mean time on its machine beyond decoding and loading

    def extra_loads(self) -> str:
        """The loads beyond one per model, as `model x n on hosts`."""
        per_model: dict[str, dict[str, int]] = {}
        for host, loads in self.model_loads.items():
            for model, n in loads.items():
                per_model.setdefault(model, {})[host] = n
        extra = [
            f"{m} x{sum(h.values())} ({' '.join(f'{host}:{n}' for host, n in sorted(h.items()))})"
            for m, h in sorted(per_model.items())
            if sum(h.values()) > 1
        ]
        return ", ".join(extra) or "none"


def run_design(design: str, redis_url: str, log_dir: Path, *, shared: bool = False,
               kill_after_s: float | None = None, restart_after_s: float | None = None) -> RunResult:  # fmt: skip
    """Start the fleet, submit the sweep, wait for every generation, collect the measurements.

    kill_after_s: SIGKILL a machine mid-job no earlier than this into the sweep; restart_after_s:
    then start its llama-swap and worker again (same WORKER_HOST) this long after the kill.
    """
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    run_logs = log_dir / design.replace(" ", "_").replace("+", "")
    run_logs.mkdir(parents=True, exist_ok=True)
    with scratch_database() as db_url:
        settings = Settings(
            database_url=db_url, redis_url=redis_url, visibility_timeout_s=VISIBILITY_TIMEOUT_S
        )
        upgrade(settings)
        env = {**SCALE_ENV, "DISPATCH": "shared" if shared else "affinity"}
        fakes: dict[str, FakeLlamaSwapProcess] = {}
        with fleet(db_url, redis_url, run_logs, **env) as workers:
            try:
                for m in FLEET:
                    fakes[m.host] = _start_machine(workers, m)
                t0 = time.time()
                job_ids = _submit(settings, shared)
                kill = None
                if kill_after_s is not None:
                    kill = _kill_mid_sweep(workers, fakes, db_url, t0, kill_after_s)
                    kill.sweep_s = kill.at - t0
                    if restart_after_s is not None:
                        _restart(workers, fakes, kill, restart_after_s, redis_url, run_logs)
                _wait_generated(db_url, redis_url, job_ids, t0, run_logs)
                if kill is not None:
                    kill.requeued_at, kill.requeued_by = _requeued_at(run_logs)
                stats = {h: f.stats() for h, f in fakes.items() if f.process.poll() is None}
                if kill is not None:
                    stats[kill.host] = _merge_stats(kill.stats, stats.get(kill.host))
                return _measure(design, db_url, stats, t0, job_ids, kill)
            finally:
                workers.stop_all()
                for f in fakes.values():
                    f.stop()
                client.flushdb()


def _start_machine(workers: Fleet, machine: Machine) -> FakeLlamaSwapProcess:
    extra = ["--prompt-tps", str(PROMPT_TPS)]
    fake = start_fake_llama_swap(
        machine.served, load_time_s=machine.load_s, decode_tps=machine.decode_tps, extra_args=extra,
        replay=replay_dir(),
    )  # fmt: skip
    _own(fake.process)
    env = {
        "LLAMA_SWAP_URL": fake.url,
        "WORKER_HOST": machine.host,
        "GPU_TOKENS_PER_S": str(machine.decode_tps),
    }
    try:
        worker = workers.start("gpu", f"gpu@{machine.host}", **env)
    except AssertionError as exc:
        raise BenchError(f"worker gpu@{machine.host} did not start: {exc}") from None
    _own(worker.process)
    return fake


def _submit(settings: Settings, shared: bool) -> list[int]:
    """Submit the sweep as `scheduler submit` does; `shared` sends every message to SHARED_QUEUE."""
    if not shared:
        return submit_sweep(settings, SWEEP, rerun=False, requeue=False).enqueued_job_ids
    with mock.patch("scheduler.sweeps.submit.publish_generate", _publish_shared):
        return submit_sweep(settings, SWEEP, rerun=False, requeue=False).enqueued_job_ids


def _publish_shared(settings: Settings, jobs: list[tuple[int, str]]) -> int:
    """The naive design's submission: the same messages, in the same order, all on one queue."""
    app = producer_app(settings)
    try:
        for job_id, _ in jobs:
            app.send_task(GENERATE_TASK, args=[job_id], queue=SHARED_QUEUE, ignore_result=True)
    finally:
        app.close()
    return len(jobs)


def _exclusive_models() -> dict[str, set[str]]:
    """Per machine, the sweep's models no other machine serves."""
    return {
        m.host: {x for x in m.served if all(x not in o.served for o in FLEET if o is not m)} for m in FLEET
    }


def _kill_mid_sweep(workers: Fleet, fakes: dict[str, FakeLlamaSwapProcess], db_url: str, t0: float,
                    not_before_s: float) -> KillRecord:  # fmt: skip
    """SIGKILL a machine (worker and llama-swap) mid-job, once all it alone can do is generated."""
    exclusive = _exclusive_models()
    deadline = time.monotonic() + RUN_DEADLINE_S
    while time.monotonic() < deadline:
        time.sleep(POLL_S / 2)
        if time.time() - t0 < not_before_s:
            continue
        undone = query(
            db_url,
            "SELECT j.model FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM generations g WHERE g.job_id = j.id)",
        )
        waiting = {row["model"] for row in undone}
        if not waiting:
            break
        for index, machine in enumerate(FLEET):
            if exclusive[machine.host] & waiting:
                continue
            stats = fakes[machine.host].stats()
            running = [r for r in stats["requests"] if "started_at" in r and "finished_at" not in r]
            if not running or time.time() - running[0]["started_at"] < KILL_INTO_JOB_S:
                continue
            rows = query(
                db_url,
                "SELECT a.job_id, j.model FROM attempts a JOIN jobs j ON j.id = a.job_id"
                " WHERE a.state = %s AND a.worker_name = %s",
                (AttemptState.RUNNING, f"{WorkerRole.GPU}@{machine.host}"),
            )
            if len(rows) != 1:
                continue
            at = time.time()
            workers.workers[index].kill()
            fakes[machine.host].stop()
            return KillRecord(machine.host, at, rows[0]["job_id"], rows[0]["model"],
                              at - running[0]["started_at"], stats=stats)  # fmt: skip
    raise BenchError("no moment to kill a machine came: every machine still had models only it serves"
                     " queued, or the sweep ended first")  # fmt: skip


def _restart(workers: Fleet, fakes: dict[str, FakeLlamaSwapProcess], kill: KillRecord, after_s: float,
             redis_url: str, logs: Path) -> None:  # fmt: skip
    """Start the killed machine again (a new fake llama-swap, a new worker, the same host) after_s after the kill."""
    time.sleep(max(0.0, kill.at + after_s - time.time()))
    machine = next(m for m in FLEET if m.host == kill.host)
    old_log = logs / f"gpu_{machine.host}.log"
    if old_log.exists():
        old_log.rename(old_log.with_suffix(".killed.log"))
    fakes[machine.host] = _start_machine(workers, machine)
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + RESTART_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            raw = client.get(fleet_machine_key(machine.host))
            if raw is not None and float(json.loads(raw).get("at", 0.0)) > kill.at:
                kill.restarted_at = time.time()
                return
            time.sleep(POLL_S / 5)
    finally:
        client.close()
    raise BenchError(f"the restarted {machine.host} published no fleet record in {RESTART_TIMEOUT_S:g} s")


def _merge_stats(before: dict[str, Any], after: dict[str, Any] | None) -> dict[str, Any]:
    """A killed machine's fake llama-swap stats: its first life's, plus its restarted one's if any."""
    if after is None:
        return before
    loads = dict(before["loads"])
    for model, n in after["loads"].items():
        loads[model] = loads.get(model, 0) + n
    return {**after, "loads": loads, "requests": [*before["requests"], *after["requests"]]}


def _wait_generated(db_url: str, redis_url: str, job_ids: list[int], t0: float, logs: Path) -> None:
    """Wait until every job has a generation; fail clearly on a stall or past the deadline."""
    deadline = time.monotonic() + RUN_DEADLINE_S
    last_count, last_progress = -1, time.monotonic()
    while True:
        count = int(query(db_url, "SELECT count(DISTINCT job_id) AS n FROM generations")[0]["n"])
        if count >= len(job_ids):
            return
        now = time.monotonic()
        if count != last_count:
            last_count, last_progress = count, now
        if now - last_progress > STALL_S or now > deadline:
            why = f"no new generation for {STALL_S:g} s" if now <= deadline else f"past {RUN_DEADLINE_S:g} s"
            raise BenchError(f"the run stalled ({why}, {time.time() - t0:.0f} s in):"
                             f" {count}/{len(job_ids)} jobs generated\n{_leftovers(db_url, redis_url)}"
                             f"\nworker logs: {logs}")  # fmt: skip
        time.sleep(POLL_S)


def _requeued_at(logs: Path) -> tuple[float, str]:
    """When a worker's log first says it put a dead machine's task back on its queue, and which (0: none)."""
    times = []
    for path in logs.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if "of a dead machine put back on its queue" in line and line.startswith("["):
                stamp, _, millis = line[1:24].partition(",")
                at = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000
                times.append((at, path.stem.replace("_", "@", 1)))
    return min(times, default=(0.0, ""))


def _leftovers(db_url: str, redis_url: str) -> str:
    """The jobs without a generation, and what Redis holds, for a stalled run's message."""
    rows = query(
        db_url,
        "SELECT j.id, j.model, j.exam, j.seed, j.state, j.lease_owner FROM jobs j"
        " WHERE NOT EXISTS (SELECT 1 FROM generations g WHERE g.job_id = j.id) ORDER BY j.id",
    )
    jobs = "\n".join(f"  job {r['id']} {r['model']} {r['exam']} seed {r['seed']}: {r['state']}"
                     f" {r['lease_owner'] or ''}" for r in rows)  # fmt: skip
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        queues = {k: client.llen(k) for k in client.scan_iter() if client.type(k) == "list"}
        unacked = client.hlen(UNACKED_KEY)
        machines = sorted(client.scan_iter(match=f"{FLEET_MACHINE_KEY_PREFIX}*"))
        records = [client.get(k) for k in machines]
    finally:
        client.close()
    return f"jobs left:\n{jobs}\nqueues: {queues}; unacked: {unacked}\nfleet records: {records}"


def _measure(design: str, db_url: str, stats: dict[str, dict[str, Any]], t0: float, job_ids: list[int],
             kill: KillRecord | None) -> RunResult:  # fmt: skip
    """Loads, makespan and idle-while-work-waited from the fakes' request logs; exactly-once from Postgres."""
    done = [r for s in stats.values() for r in s["requests"] if r.get("status") == 200 and "finished_at" in r]
    end = max(r["finished_at"] for r in done)
    idle: dict[str, float] = {}
    for m in FLEET:
        busy = sorted(
            (r["received_at"], r["finished_at"]) for r in stats[m.host]["requests"]
            if r.get("status") == 200 and "finished_at" in r
        )  # fmt: skip
        # every job is queued at t0, so work this machine could run waits until the last one starts
        last_start = max((r["started_at"] for r in done if r["model"] in m.served), default=t0)
        if kill is not None and kill.host == m.host:
            if kill.restarted_at:  # down, not idle, from the kill until its new worker is up
                busy = sorted([*busy, (kill.at, kill.restarted_at)])
            else:
                last_start = min(last_start, kill.at)
        idle[m.host] = _gaps(busy, t0, last_start)
    rows = query(db_url, "SELECT job_id, outcome FROM generations WHERE job_id = ANY(%s)", (job_ids,))
    outcomes: dict[int, list[str]] = {j: [] for j in job_ids}
    for row in rows:
        outcomes[row["job_id"]].append(row["outcome"])
    once = all(o == [Outcome.OK] for o in outcomes.values())
    if kill is not None:
        rerun = query(
            db_url,
            "SELECT extract(epoch FROM a.started_at) AS started, g.wall_s, a.worker_name FROM attempts a"
            " JOIN generations g ON g.attempt_id = a.id WHERE a.job_id = %s",
            (kill.job_id,),
        )
        if rerun:
            kill.rerun_start, kill.rerun_s = float(rerun[0]["started"]), float(rerun[0]["wall_s"] or 0.0)
            kill.rerun_worker = str(rerun[0]["worker_name"])
    loads = {h: sum(s["loads"].values()) for h, s in stats.items()}
    model_loads = {h: {m: int(n) for m, n in s["loads"].items() if n} for h, s in stats.items()}
    overhead = _job_overhead_s(stats)
    return RunResult(design, loads, end - t0, idle, len(done), once, kill, model_loads, overhead)


def _job_overhead_s(stats: dict[str, dict[str, Any]]) -> float:
    """A job's mean cost beyond its tokens at the decode rate and its load, as the fakes saw it.

    Inside the request: prompt processing and streaming granularity; between two jobs of the
    same model on one machine: the ack, the store in Postgres, the next claim and delivery.
    """
    inside, between = [], []
    for machine in FLEET:
        requests = sorted(
            (r for r in stats[machine.host]["requests"] if r.get("status") == 200 and "finished_at" in r),
            key=lambda r: r["received_at"],
        )
        previous: dict[str, Any] | None = None
        for r in requests:
            load_s = machine.load_s if previous is None or previous["model"] != r["model"] else 0.0
            decode_s = r["completion_tokens"] / machine.decode_tps
            inside.append(r["finished_at"] - r["received_at"] - decode_s - load_s)
            if previous is not None and previous["model"] == r["model"]:
                between.append(r["received_at"] - previous["finished_at"])
            previous = r
    return (sum(inside) / len(inside) if inside else 0.0) + (sum(between) / len(between) if between else 0.0)


def _gaps(busy: list[tuple[float, float]], start: float, until: float) -> float:
    """Time in [start, until] not covered by the busy intervals."""
    idle, cursor = 0.0, start
    for b0, b1 in busy:
        if b0 >= until:
            break
        if b0 > cursor:
            idle += b0 - cursor
        cursor = max(cursor, b1)
    return idle + max(0.0, until - cursor)


def report(lb: float, n_jobs: int, runs: list[RunResult]) -> str:
    """The side-by-side table, ours against the best schedule, and the kill runs' breakdown."""
    hosts = [m.host for m in FLEET]
    jobs = episode3_jobs()
    ours = runs[0]
    best = best_schedule(FLEET, jobs, upper_bound_s=ours.makespan_s)
    best_real = best_schedule(FLEET, jobs, upper_bound_s=ours.makespan_s, job_overhead_s=ours.job_overhead_s)
    lines = [
        (
            f"{SWEEP}: {n_jobs} jobs on {len(FLEET)} machines ({', '.join(hosts)}); minimum loads"
            f" {minimum_loads(jobs)}; lower bound {lb:.2f} s (replayed tokens / decode rate + loads)"
        ),
        (
            f"best schedule (every job's length known, exhaustive): {best.makespan_s:.2f} s ="
            f" {best.makespan_s / lb:.3f} of the bound; with {ours.design}'s measured per-job overhead"
            f" ({ours.job_overhead_s:.3f} s a job): {best_real.makespan_s:.2f} s; {ours.design}"
            f" {ours.makespan_s:.2f} s = {ours.makespan_s / best_real.makespan_s:.3f} of that"
        ),
        (
            f"{'run':<26}{'loads':>6}  {'per machine':<12}{'makespan s':>11}{'/ LB':>7}  "
            f"{'idle while work waited s':<26}{'once ok':>8}"
        ),
    ]
    for res in runs:
        per = " ".join(str(res.loads.get(h, 0)) for h in hosts)
        idle = " ".join(f"{res.idle_s.get(h, 0.0):.1f}" for h in hosts)
        lines.append(f"{res.design:<26}{sum(res.loads.values()):>6}  {per:<12}{res.makespan_s:>11.2f}"
                     f"{res.makespan_s / lb:>7.3f}  {idle:<26}{'yes' if res.exactly_once else 'NO':>8}")  # fmt: skip
    lines += [f"{res.design}: models loaded more than once: {res.extra_loads()}" for res in runs]
    healthy = runs[0]
    for res in runs:
        k = res.kill
        if k is None:
            continue
        redelivery = k.rerun_start - k.at if k.rerun_start else float("nan")
        requeued = (
            f"{k.requeued_at - k.at:.2f} s, by {k.requeued_by}"
            if k.requeued_at
            else "never (broker redelivery)"
        )
        restart = (
            f"; restarted {RESTART_AFTER_S:g} s after the kill, its new worker up (fleet record) after"
            f" {k.restarted_at - k.at:.2f} s"
            if k.restarted_at
            else ""
        )
        lines.append(
            f"{res.design}: {k.host} SIGKILLed {k.sweep_s:.1f} s into the sweep, mid-job (job {k.job_id},"
            f" {k.model}, {k.lost_s:.2f} s into it){restart};"
            f" makespan +{res.makespan_s - healthy.makespan_s:.2f} s over the healthy run;"
            f" the killed job: {k.lost_s:.2f} s lost + {redelivery:.2f} s until re-run (back on its queue"
            f" after {requeued})"
            f" (machine lease {SCALE_ENV['DISPATCH_LEASE_S']} s, visibility timeout {VISIBILITY_TIMEOUT_S} s)"
            f" + {k.rerun_s:.2f} s re-run on {k.rerun_worker}"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the designs and print them side by side."""
    jobs = episode3_jobs()
    lb = lower_bound_s(FLEET, jobs)
    log_dir = Path(tempfile.mkdtemp(prefix="qs-fleet-bench-"))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(143)))
    try:
        with private_services() as services:
            redis_url = f"{services.redis.url}/0"
            ours = run_design("affinity", redis_url, log_dir)
            print(f"affinity: {ours.makespan_s:.2f} s", flush=True)
            naive = run_design("shared queue", redis_url, log_dir, shared=True)
            print(f"shared queue: {naive.makespan_s:.2f} s", flush=True)
            killed = run_design("affinity + kill", redis_url, log_dir,
                                kill_after_s=KILL_NOT_BEFORE * ours.makespan_s)  # fmt: skip
            print(f"affinity + kill: {killed.makespan_s:.2f} s", flush=True)
            back = run_design("affinity + kill + restart", redis_url, log_dir,
                              kill_after_s=KILL_NOT_BEFORE * ours.makespan_s, restart_after_s=RESTART_AFTER_S)  # fmt: skip
        print()
        print(report(lb, len(jobs), [ours, naive, killed, back]))
    except (BenchError, ServiceUnavailable) as exc:
        raise SystemExit(f"fleet bench: {exc}\n(logs kept in {log_dir})") from None
    finally:
        _kill_all()
    shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
