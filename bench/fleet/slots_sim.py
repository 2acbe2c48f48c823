"""The fleet model with N slots per machine: the article's sweep makespan with N slots against 1
and against the best schedule (modelled figures, no GPU involved).

Each machine decodes up to N jobs of its loaded model at once. Its throughput curve is
`SlotCurve`: k streams together decode `k / (1 + contention * (k - 1))` times the single-stream
rate in all (each stream at that divided by k), and past `cliff_at` streams every stream loses
`cliff_loss`. The default contention 0.193 gives 3.4x at 8 streams and 4.1x at 16, each stream at
16 streams a quarter of its single-stream rate: the published consumer MoE figures (3-5x the
aggregate at 8-16 slots; 40.5 -> 10.5 tok/s per request on a Strix Halo machine); a cliff as in
llama.cpp issue 25356 (one many-expert MoE on Vulkan, -35% from 8 to 9 sequences) is off by default
(`--cliff 8:0.35` turns it on).

The dispatch is ours as the worker runs it (`worker.dispatch.controller`): a machine fills its free
slots from its current model's queue; when that queue is empty it waits for its slots to drain,
then asks `choose_model` (the same pure function the workers run) for the next model. Streams
share the machine as processor sharing: every event re-divides the rate among the running jobs.

The best schedule with N slots is bounded below by the 1-slot best schedule
(`bench.fleet.best_schedule`) on machines whose rate is their full-slot aggregate: it assumes
every slot busy the whole time, so no real schedule with N slots beats it.

Run: ``python -m bench.fleet.slots_sim [--slots 1,2,4,8,16] [--contention 0.193] [--cliff 8:0.35]``.
"""

from __future__ import annotations

import argparse
import heapq
from collections import deque
from dataclasses import dataclass, field, replace

from bench.fleet.best_schedule import best_schedule
from bench.fleet.fleet_spec import FLEET, JOB_TOKENS, JobSpec, Machine, episode3_jobs, lower_bound_s
from bench.fleet.simulate import simulate_pull, submission_order
from worker.dispatch.policy import Claimant, FleetState, MachineState, choose_model

POLL_S = 0.05


@dataclass(frozen=True)
class SlotCurve:
    """Aggregate decode of k streams relative to one stream, with an optional cliff."""

    contention: float = 0.193
    cliff_at: int | None = None  # past this many streams ...
    cliff_loss: float = 0.0  # ... every stream loses this fraction

    def aggregate(self, k: int) -> float:
        """Tokens per second of k streams together, in single-stream rates."""
        if k <= 0:
            return 0.0
        factor = k / (1 + self.contention * (k - 1))
        if self.cliff_at is not None and k > self.cliff_at:
            factor *= 1 - self.cliff_loss
        return factor


@dataclass
class _Running:
    job: JobSpec
    remaining: float  # tokens


@dataclass
class _Machine:
    spec: Machine
    slots: int
    loaded: str | None = None
    current: str | None = None
    ready_at: float = 0.0  # when its model is loaded
    running: list[_Running] = field(default_factory=list)
    last: float = 0.0  # when `remaining` was last brought up to date
    version: int = 0  # stale completion events are skipped
    loads: int = 0

    def rate(self, curve: SlotCurve) -> float:
        """Tokens per second of each running stream."""
        k = len(self.running)
        return self.spec.decode_tps * curve.aggregate(k) / k if k else 0.0

    def advance(self, now: float, curve: SlotCurve) -> None:
        start = max(self.last, self.ready_at)
        if now > start and self.running:
            done = (now - start) * self.rate(curve)
            for r in self.running:
                r.remaining -= done
        self.last = now


@dataclass(frozen=True)
class SlotsResult:
    """One simulated run with `slots` slots per machine."""

    slots: int
    makespan_s: float
    loads: int


def simulate_pull_slots(
    machines: list[Machine], jobs: list[JobSpec], slots: int, curve: SlotCurve
) -> SlotsResult:
    """Our dispatch on machines of `slots` slots (see the module docstring)."""
    queues: dict[str, deque[JobSpec]] = {}
    for job in jobs:
        queues.setdefault(job.model, deque()).append(job)
    sims = [_Machine(spec, slots) for spec in machines]
    servers = {m: sum(1 for s in machines if m in s.served) for m in queues}
    events: list[tuple[float, int, int]] = [(0.0, i, 0) for i in range(len(sims))]
    end = 0.0
    while events:
        now, i, version = heapq.heappop(events)
        me = sims[i]
        if version != me.version:
            continue
        me.advance(now, curve)
        finished = [r for r in me.running if r.remaining <= 1e-6]
        me.running = [r for r in me.running if r.remaining > 1e-6]
        if finished:
            end = max(end, now)
        if me.current is not None and queues.get(me.current):
            while len(me.running) < me.slots and queues[me.current]:
                job = queues[me.current].popleft()
                me.running.append(_Running(job, job.tokens))
        elif not me.running:  # drained: the next model, as the controller decides it
            decision = choose_model(*_views(me, sims, queues, servers, now))
            me.current = decision.model
            if decision.model is None:
                if any(queues.values()):
                    _push(events, me, i, now + POLL_S)
                continue
            if me.loaded != decision.model:
                me.loaded, me.loads, me.ready_at = decision.model, me.loads + 1, now + me.spec.load_s
            me.last = now
            while len(me.running) < me.slots and queues[decision.model]:
                job = queues[decision.model].popleft()
                me.running.append(_Running(job, job.tokens))
        if me.running:
            start = max(now, me.ready_at)
            _push(events, me, i, start + min(r.remaining for r in me.running) / me.rate(curve))
        elif any(queues.values()):
            _push(events, me, i, now + POLL_S)
    return SlotsResult(slots, end, sum(s.loads for s in sims))


def _push(events: list[tuple[float, int, int]], me: _Machine, i: int, at: float) -> None:
    me.version += 1
    heapq.heappush(events, (at, i, me.version))


def _views(me: _Machine, sims: list[_Machine], queues: dict[str, deque[JobSpec]], servers: dict[str, int],
           now: float) -> tuple[MachineState, FleetState]:  # fmt: skip
    others = [s for s in sims if s is not me]
    backlog = {m: len(q) for m, q in queues.items()}
    claims = {m: sum(1 for s in others if s.current == m) for m in queues}
    others_job_s = {
        m: min(JOB_TOKENS / s.spec.decode_tps for s in others if m in s.spec.served)
        for m in queues
        if any(m in s.spec.served for s in others)
    }
    claimants = {
        m: [Claimant(0.0 if not s.running else JOB_TOKENS / s.spec.decode_tps / 2, JOB_TOKENS / s.spec.decode_tps)
            for s in others if s.current == m]
        for m in queues
    }  # fmt: skip
    fleet = FleetState(
        backlog, claims, servers, {m: JOB_TOKENS / me.spec.decode_tps for m in queues},
        {m: me.spec.load_s for m in queues}, others_job_s, claimants,
    )  # fmt: skip
    return MachineState(me.spec.host, frozenset(me.spec.served), me.loaded, me.current), fleet


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--slots", default="1,2,4,8,16", help="slot counts [1,2,4,8,16]")
    p.add_argument(
        "--contention", type=float, default=SlotCurve.contention, help="the curve's contention [0.193]"
    )
    p.add_argument("--cliff", default="", help="AT:LOSS, e.g. 8:0.35: past AT streams each loses LOSS [off]")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Print the throughput curve and the sweep's makespan per slot count, as ratios."""
    args = parse_args(argv)
    cliff_at, cliff_loss = (
        (int(args.cliff.split(":")[0]), float(args.cliff.split(":")[1])) if args.cliff else (None, 0.0)
    )
    curve = SlotCurve(args.contention, cliff_at, cliff_loss)
    counts = sorted({int(n) for n in args.slots.split(",")})
    jobs = submission_order(episode3_jobs())
    one = simulate_pull(FLEET, jobs)
    best_one = best_schedule(FLEET, jobs, upper_bound_s=one.makespan_s)
    print(f"MODELLED (no GPU): episode3, {len(jobs)} jobs on {len(FLEET)} machines; curve contention"
          f" {curve.contention}, cliff {args.cliff or 'none'}; lower bound with 1 slot"
          f" {lower_bound_s(FLEET, jobs):.2f} s")  # fmt: skip
    print("\nthroughput by slots (every machine alike, relative to its single stream):")
    print("| streams | aggregate | per stream |\n|---|---|---|")
    for k in counts:
        print(f"| {k} | {curve.aggregate(k):.2f}x | {curve.aggregate(k) / k:.2f}x |")
    print("\n| slots | makespan s | / 1 slot | best (bound) s | / best | loads |\n|---|---|---|---|---|---|")
    base = None
    for n in counts:
        result = simulate_pull_slots(FLEET, jobs, n, curve)
        if base is None:
            base = result.makespan_s
        fast = [replace(m, decode_tps=m.decode_tps * curve.aggregate(n)) for m in FLEET]
        bound = (
            best_schedule(fast, jobs, upper_bound_s=result.makespan_s).makespan_s
            if n > 1
            else best_one.makespan_s
        )
        print(f"| {n} | {result.makespan_s:.2f} | {result.makespan_s / base:.3f} | {bound:.2f} |"
              f" {result.makespan_s / bound:.3f} | {result.loads} |")  # fmt: skip
    print(f"\n(1 slot through bench.fleet.simulate's own pull model: {one.makespan_s:.2f} s)")


if __name__ == "__main__":
    main()
