"""The shortest possible schedule of a sweep on a fleet, found exhaustively (bench only).

``fleet_spec.lower_bound_s`` lets work split freely between machines. Real jobs are
indivisible and every model a machine runs costs it a load, so the bound may be out of reach.
This finds the best schedule that knows every job's length in advance: with no order between
jobs, a machine's time is its jobs' decode time plus one load per model it runs (grouping its
jobs by model is never worse), so the best schedule is the assignment of jobs to machines
that minimises the busiest machine's time.

Exhaustive, but small: a model only one machine serves has one choice; for a shared model,
every assignment of its jobs to the machines that serve it is a vector of added machine
times. Models are added one at a time, keeping only the Pareto-minimal vectors (a vector no
worse on every machine than another one is dropped; the makespan is monotone in each
machine's time, so nothing better is lost) and those no longer than a known schedule.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import TypeVar

from bench.fleet.fleet_spec import JobSpec, Machine

Times = tuple[float, ...]  # seconds per machine, in fleet order
V = TypeVar("V")


@dataclass(frozen=True)
class Schedule:
    """The best assignment found: its makespan, loads, and which machine runs each model's jobs."""

    makespan_s: float
    loads: int
    machine_times_s: Times
    hosts: dict[str, tuple[str, ...]]  # model -> host of each of its jobs, in the jobs' order


def best_schedule(machines: list[Machine], jobs: list[JobSpec], upper_bound_s: float,
                  job_overhead_s: float = 0.0) -> Schedule:  # fmt: skip
    """The assignment of jobs to machines with the smallest makespan (no longer than upper_bound_s).

    job_overhead_s: time every job costs its machine beyond decoding (prompt, claim, store), as
    measured in real processes; 0 compares with the simulation's model time.
    """
    tokens: dict[str, list[int]] = {}
    for job in jobs:
        tokens.setdefault(job.model, []).append(job.tokens)
    servers = {m: [i for i, s in enumerate(machines) if m in s.served] for m in tokens}
    for model, idx in servers.items():
        if not idx:
            raise ValueError(f"no machine serves {model}")
    states: dict[Times, tuple[tuple[str, tuple[int, ...]], ...]] = {(0.0,) * len(machines): ()}
    for model in sorted(tokens, key=lambda m: len(servers[m])):
        options = _pareto(_options(machines, tokens[model], servers[model], job_overhead_s))
        grown: dict[Times, tuple[tuple[str, tuple[int, ...]], ...]] = {}
        for times, history in states.items():
            for added, assignment in options.items():
                key = tuple(round(a + b, 9) for a, b in zip(times, added, strict=True))
                if max(key) <= upper_bound_s + 1e-9:
                    grown[key] = (*history, (model, assignment))
        states = _pareto(grown)
    if not states:
        raise ValueError(f"no schedule within {upper_bound_s:.2f} s")
    best = min(states, key=max)
    hosts = {model: tuple(machines[i].host for i in a) for model, a in states[best]}
    loads = sum(len(set(h)) for h in hosts.values())
    return Schedule(max(best), loads, best, hosts)


def _options(machines: list[Machine], tokens: list[int], servers: list[int],
             job_overhead_s: float) -> dict[Times, tuple[int, ...]]:  # fmt: skip
    """Every assignment of one model's jobs to its servers, as the machine times it adds."""
    options: dict[Times, tuple[int, ...]] = {}
    for assignment in itertools.product(servers, repeat=len(tokens)):
        per = [0.0] * len(machines)
        count = [0] * len(machines)
        for n, i in zip(tokens, assignment, strict=True):
            per[i] += n / machines[i].decode_tps + job_overhead_s
            count[i] += 1
        times = tuple(round(per[i] + s.load_s, 9) if count[i] else 0.0 for i, s in enumerate(machines))
        options.setdefault(times, assignment)
    return options


def _pareto(points: dict[Times, V]) -> dict[Times, V]:
    """The points no other point is at most on every machine (3 machines: a sweep with a staircase)."""
    if points and len(next(iter(points))) != 3:
        return {p: v for p, v in points.items() if not any(_dominates(q, p) for q in points)}
    kept: dict[Times, V] = {}
    ys: list[float] = []  # the staircase of kept (y, z): y increasing, z decreasing
    zs: list[float] = []
    for point in sorted(points):
        _, y, z = point
        at = bisect.bisect_right(ys, y)
        if at > 0 and zs[at - 1] <= z:
            continue  # a kept point with x, y and z no larger
        kept[point] = points[point]
        end = at
        while end < len(ys) and zs[end] >= z:
            end += 1
        ys[at:end], zs[at:end] = [y], [z]
    return kept


def _dominates(q: Times, p: Times) -> bool:
    return q != p and all(a <= b for a, b in zip(q, p, strict=True))
