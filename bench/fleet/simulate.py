"""Discrete-event model of a GPU fleet, to compare dispatch designs in milliseconds of CPU.

It runs ``worker.dispatch.policy.choose_model`` itself (the pull design) against the naive
designs, on the same machines and jobs the real-process bench uses (``fleet_spec``), and
reports loads, makespan and the lower bound. Real processes (``bench/fleet/run.py``) then
confirm the chosen design; this model is what let us try designs cheaply first.

Run: ``python -m bench.fleet.simulate``.
"""

from __future__ import annotations

import heapq
import random
import statistics
from collections import deque
from dataclasses import dataclass, field

from bench.fleet.best_schedule import best_schedule
from bench.fleet.fleet_spec import FLEET, JOB_TOKENS, JobSpec, Machine, episode3_jobs, lower_bound_s
from scheduler.sweeps.exam_index import prompt_text
from worker.dispatch.policy import Claimant, FleetState, MachineState, choose_model

POLL_S = 0.05  # an idle machine looks again this often
SHUFFLES = 200  # job orders within each model tried for the robustness line
BOUNCE_S = 0.02  # a shared-queue worker rejecting a job it cannot serve


@dataclass
class SimMachine:
    """One machine's state in the model."""

    spec: Machine
    loaded: str | None = None
    current: str | None = None
    busy_until: float = 0.0
    started: float = 0.0  # when its current job started
    loads: int = 0
    busy_s: float = 0.0
    jobs: list[str] = field(default_factory=list)


@dataclass
class SimResult:
    """What one simulated run measured."""

    design: str
    makespan_s: float
    loads: dict[str, int]
    busy_s: dict[str, float]


def _run_job(m: SimMachine, job: JobSpec, now: float) -> float:
    extra = 0.0
    if m.loaded != job.model:
        m.loaded = job.model
        m.loads += 1
        extra = m.spec.load_s
    work = job.tokens / m.spec.decode_tps
    m.busy_s += extra + work
    m.jobs.append(job.model)
    return now + extra + work


def simulate_pull(machines: list[Machine], jobs: list[JobSpec]) -> SimResult:
    """Per-model queues; each machine consumes one at a time, chosen by ``choose_model``.

    A machine sees what a real worker's controller sees (``worker.dispatch.controller``): queue lengths,
    every machine's claim and decode rate, when each claimant's running job started, and one
    expected job length for every job (``JOB_TOKENS``, DISPATCH_JOB_TOKENS); never a job's
    real length.
    """
    queues: dict[str, deque[JobSpec]] = {}
    for job in jobs:
        queues.setdefault(job.model, deque()).append(job)
    sims = [SimMachine(spec) for spec in machines]
    servers = {m: sum(1 for s in machines if m in s.served) for m in queues}
    events = [(0.0, i) for i in range(len(sims))]
    end = 0.0
    while events:
        now, i = heapq.heappop(events)
        me = sims[i]
        others = [s for s in sims if s is not me]
        backlog = {m: len(q) for m, q in queues.items()}
        claims = {m: sum(1 for s in others if s.current == m) for m in queues}
        state = MachineState(me.spec.host, frozenset(me.spec.served), me.loaded, me.current)
        others_job_s = {
            m: min(JOB_TOKENS / s.spec.decode_tps for s in others if m in s.spec.served)
            for m in queues
            if any(m in s.spec.served for s in others)
        }
        claimants = {m: [_claimant(s, now) for s in others if s.current == m] for m in queues}
        fleet = FleetState(
            backlog, claims, servers, {m: JOB_TOKENS / me.spec.decode_tps for m in queues},
            {m: me.spec.load_s for m in queues}, others_job_s, claimants,
        )  # fmt: skip
        decision = choose_model(state, fleet)
        me.current = decision.model
        if decision.model is None:
            if any(backlog.values()):
                heapq.heappush(events, (now + POLL_S, i))
            continue
        me.started = now
        done = me.busy_until = _run_job(me, queues[decision.model].popleft(), now)
        end = max(end, done)
        heapq.heappush(events, (done, i))
    return _result("pull (ours)", sims, end)


def _claimant(s: SimMachine, now: float) -> Claimant:
    """Another machine as the controller sees it: its job's expected end from its start time."""
    expected_end = s.started + JOB_TOKENS / s.spec.decode_tps if s.busy_until > now else now
    return Claimant(max(0.0, expected_end - now), JOB_TOKENS / s.spec.decode_tps)


def simulate_shared_queue(machines: list[Machine], jobs: list[JobSpec]) -> SimResult:
    """One FIFO for all GPU jobs; a job a machine cannot serve is bounced back to the head."""
    queue = deque(jobs)
    sims = [SimMachine(spec) for spec in machines]
    events = [(0.0, i) for i in range(len(sims))]
    end = 0.0
    while events and queue:
        now, i = heapq.heappop(events)
        me = sims[i]
        bounced = 0
        while queue and queue[0].model not in me.spec.served and bounced < len(queue):
            queue.rotate(-1)  # what another machine then sees first
            bounced += 1
        if not queue or queue[0].model not in me.spec.served:
            heapq.heappush(events, (now + POLL_S, i))
            continue
        done = _run_job(me, queue.popleft(), now + bounced * BOUNCE_S)
        end = max(end, done)
        heapq.heappush(events, (done, i))
    return _result("one shared queue", sims, end)


def simulate_subscribe_all(machines: list[Machine], jobs: list[JobSpec]) -> SimResult:
    """Per-model queues, each machine subscribed to all it serves, served round-robin."""
    queues: dict[str, deque[JobSpec]] = {}
    for job in jobs:
        queues.setdefault(job.model, deque()).append(job)
    sims = [SimMachine(spec) for spec in machines]
    cursor = [0] * len(sims)
    events = [(0.0, i) for i in range(len(sims))]
    end = 0.0
    while events:
        now, i = heapq.heappop(events)
        me = sims[i]
        mine = sorted(m for m in me.spec.served if queues.get(m))
        if not mine:
            continue
        model = mine[cursor[i] % len(mine)]
        cursor[i] += 1
        done = _run_job(me, queues[model].popleft(), now)
        end = max(end, done)
        heapq.heappush(events, (done, i))
    return _result("subscribe to all queues", sims, end)


def _result(design: str, sims: list[SimMachine], end: float) -> SimResult:
    return SimResult(design, end, {s.spec.host: s.loads for s in sims}, {s.spec.host: s.busy_s for s in sims})


def submission_order(jobs: list[JobSpec]) -> list[JobSpec]:
    """The order `scheduler submit` sends messages in: model by model, the longest exam first."""
    models = list(dict.fromkeys(j.model for j in jobs))
    exams = sorted({j.exam for j in jobs}, key=lambda exam: -len(prompt_text(exam).text))
    return sorted(jobs, key=lambda j: (models.index(j.model), exams.index(j.exam), j.seed))


def shuffled_orders(jobs: list[JobSpec], count: int, seed: int = 1) -> list[list[JobSpec]]:
    """Submission orders with the models in the same order and each model's jobs in a random one."""
    rng = random.Random(seed)
    models = list(dict.fromkeys(j.model for j in jobs))
    orders = []
    for _ in range(count):
        order = list(jobs)
        rng.shuffle(order)
        orders.append(sorted(order, key=lambda j: models.index(j.model)))
    return orders


def main() -> None:
    """Print each design's loads and makespan against the lower bound and the best schedule."""
    jobs = submission_order(episode3_jobs())
    lb = lower_bound_s(FLEET, jobs)
    ours = simulate_pull(FLEET, jobs)
    best = best_schedule(FLEET, jobs, upper_bound_s=ours.makespan_s)
    print(f"episode3: {len(jobs)} jobs on {len(FLEET)} machines; lower bound {lb:.2f} s (model time);"
          f" best schedule {best.makespan_s:.2f} s = {best.makespan_s / lb:.3f} of the bound, {best.loads} loads"
          f" (exhaustive over assignments, each machine's jobs grouped by model)")  # fmt: skip
    print(f"{'design':<26}{'loads':>7}{'per machine':>22}{'makespan':>10}{'/ LB':>7}{'/ best':>8}")
    for r in (ours, simulate_shared_queue(FLEET, jobs), simulate_subscribe_all(FLEET, jobs)):
        per = " ".join(str(r.loads[m.host]) for m in FLEET)
        total = sum(r.loads.values())
        print(f"{r.design:<26}{total:>7}{per:>22}{r.makespan_s:>10.2f}{r.makespan_s / lb:>7.3f}"
              f"{r.makespan_s / best.makespan_s:>8.3f}")  # fmt: skip
    spans = [simulate_pull(FLEET, order).makespan_s for order in shuffled_orders(jobs, SHUFFLES)]
    print(f"ours, {SHUFFLES} random job orders within each model (the best schedule does not depend on"
          f" order): makespan / best mean {statistics.mean(spans) / best.makespan_s:.3f},"
          f" worst {max(spans) / best.makespan_s:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
