"""The fleet bench's best schedule: the shortest assignment of jobs to machines, checked by brute force."""

from __future__ import annotations

import itertools
import random

from bench.fleet.best_schedule import best_schedule
from bench.fleet.fleet_spec import JobSpec, Machine

MACHINES = [
    Machine("fast", ("m1", "m2", "shared"), decode_tps=300.0, load_s=0.5),
    Machine("mid", ("m3", "shared", "pair"), decode_tps=200.0, load_s=0.5),
    Machine("slow", ("pair", "shared"), decode_tps=100.0, load_s=0.5),
]


def brute_force_makespan_s(machines: list[Machine], jobs: list[JobSpec], overhead_s: float = 0.0) -> float:
    servers = [[i for i, m in enumerate(machines) if job.model in m.served] for job in jobs]
    best = float("inf")
    for assignment in itertools.product(*servers):
        times = []
        for i, m in enumerate(machines):
            mine = [j for j, a in zip(jobs, assignment, strict=True) if a == i]
            models = {j.model for j in mine}
            times.append(sum(j.tokens / m.decode_tps + overhead_s for j in mine) + m.load_s * len(models))
        best = min(best, max(times))
    return best


def random_jobs(rng: random.Random) -> list[JobSpec]:
    models = ["m1", "m2", "m3", "shared", "shared", "pair", "pair"]
    return [JobSpec(rng.choice(models), "v1", n, rng.randint(100, 2000)) for n in range(9)]


def test_the_best_schedule_is_the_shortest_assignment_brute_force_finds() -> None:
    rng = random.Random(7)
    for _ in range(5):
        jobs = random_jobs(rng)
        found = best_schedule(MACHINES, jobs, upper_bound_s=1000.0)
        assert abs(found.makespan_s - brute_force_makespan_s(MACHINES, jobs)) < 1e-6


def test_the_best_schedule_charges_each_job_its_overhead_and_runs_jobs_only_where_served() -> None:
    jobs = random_jobs(random.Random(3))
    found = best_schedule(MACHINES, jobs, upper_bound_s=1000.0, job_overhead_s=0.7)
    assert abs(found.makespan_s - brute_force_makespan_s(MACHINES, jobs, overhead_s=0.7)) < 1e-6
    served = {m.host: set(m.served) for m in MACHINES}
    for model, hosts in found.hosts.items():
        assert all(model in served[h] for h in hosts)
    assert found.loads == sum(len(set(h)) for h in found.hosts.values())
