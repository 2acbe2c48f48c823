"""The GPU affinity rule: which model queue a GPU machine consumes next (a pure decision, no I/O).

``choose_model`` sees what one machine's controller sees (``worker.dispatch.controller``): the
models its llama-swap serves, the one it has loaded, the backlog of every model queue and the
other machines that consume each model. The rules, in order:

1. keep consuming the current model while its queue has jobs (no interleaving), unless others
   share it and would end its queue sooner without this machine's next job;
2. else take an unclaimed model with jobs, preferring the one already loaded (no load),
   then the one where this machine is fastest relative to the other machines that serve
   it (a model nobody else serves first: nobody else can reach it), then the largest
   remaining work;
3. else help the claimed model whose queue ends soonest thanks to this machine taking its
   next job, counting this machine's load and speed against the claimants' (this is the
   only source of loads beyond one per model);
4. else idle (nothing this machine can serve is waiting).

"When a queue ends" (rules 1 and 3) is earliest-finish-time list scheduling: each queued job
goes to whichever claimant would finish it first, a claimant being free when its running job
reaches the expected job length (``Claimant.free_in_s``), not free now.

Why pulling per-model queues rather than a shared queue or a central planner, and how it
measures against them: ``bench/fleet/README.md``.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_JOB_S = 60.0  # a generation's expected length when nothing better is known
DEFAULT_LOAD_S = 30.0  # a 15-30 GB model load


class Reason(StrEnum):
    """Why a machine consumes what it consumes."""

    CONTINUE = "continue"  # the current model still has jobs
    LOADED = "loaded"  # an unclaimed model that is already loaded
    UNCLAIMED = "unclaimed"  # an unclaimed model (a load)
    HELP = "help"  # joining a model other machines work on, because splitting saves time
    IDLE = "idle"  # nothing this machine serves is waiting


@dataclass(frozen=True)
class MachineState:
    """What one machine knows about itself."""

    host: str
    served: frozenset[str]
    loaded: str | None = None  # the model its llama-swap holds now
    current: str | None = None  # the model queue it consumes now


@dataclass(frozen=True)
class Claimant:
    """Another machine consuming a model: when it is next free, and how long it takes a job of it."""

    free_in_s: float  # seconds until its running job ends (0: free now)
    job_s: float  # its expected seconds per job of the model


@dataclass(frozen=True)
class FleetState:
    """What one machine sees of the queues and of the other machines."""

    backlog: Mapping[str, int]  # jobs waiting per model
    claims: Mapping[str, int] = field(default_factory=dict)  # other machines consuming each model
    servers: Mapping[str, int] = field(default_factory=dict)  # live machines serving each model (me too)
    job_s: Mapping[str, float] = field(default_factory=dict)  # expected seconds per job per model
    load_s: Mapping[str, float] = field(default_factory=dict)  # expected seconds to load each model
    # expected seconds per job on the fastest OTHER live machine serving the model (absent: none)
    others_job_s: Mapping[str, float] = field(default_factory=dict)
    # the other machines consuming each model (absent: `claims` machines, free now, at others_job_s)
    claimants: Mapping[str, Sequence[Claimant]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The model queue to consume (None: consume nothing) and why."""

    model: str | None
    reason: Reason


def choose_model(me: MachineState, fleet: FleetState) -> Decision:
    """Pick the model queue this machine should consume now (see the module docstring)."""
    waiting = sorted(m for m in me.served if fleet.backlog.get(m, 0) > 0)
    if me.current in waiting and _worth_another_job(me.current, fleet):
        return Decision(me.current, Reason.CONTINUE)
    unclaimed = [m for m in waiting if fleet.claims.get(m, 0) == 0]
    if unclaimed:
        best = min(unclaimed, key=lambda m: _unclaimed_rank(m, me, fleet))
        return Decision(best, Reason.LOADED if best == me.loaded else Reason.UNCLAIMED)
    gains = {m: _help_gain_s(m, me, fleet) for m in waiting}
    helpful = [m for m in waiting if gains[m] > 0]
    if helpful:
        return Decision(max(helpful, key=lambda m: (gains[m], m)), Reason.HELP)
    return Decision(None, Reason.IDLE)


def remaining_work_s(model: str, fleet: FleetState) -> float:
    """Seconds of generation still queued for a model."""
    return fleet.backlog.get(model, 0) * fleet.job_s.get(model, DEFAULT_JOB_S)


def _unclaimed_rank(model: str, me: MachineState, fleet: FleetState) -> tuple[bool, float, float, str]:
    return (model != me.loaded, _relative_cost(model, fleet), -remaining_work_s(model, fleet), model)


def _relative_cost(model: str, fleet: FleetState) -> float:
    """How much slower this machine is at the model than the best other machine (0: nobody else can)."""
    others_s = fleet.others_job_s.get(model)
    if others_s is None or others_s <= 0:
        return 0.0
    return fleet.job_s.get(model, DEFAULT_JOB_S) / others_s


def _help_gain_s(model: str, me: MachineState, fleet: FleetState) -> float:
    """Seconds by which the model's queue is done sooner if this machine takes its next job (see _queue_end_s)."""
    if fleet.backlog.get(model, 0) < 1 or not _claimants(model, fleet):
        return 0.0
    return _queue_end_s(model, fleet) - _queue_end_with_me_s(model, me, fleet)


def _worth_another_job(model: str, fleet: FleetState) -> bool:
    """Sharing a model with others, take its next job only if that does not end the queue later."""
    if not _claimants(model, fleet):
        return True
    me = MachineState("", frozenset({model}), loaded=model)  # consuming it: no load
    return _queue_end_with_me_s(model, me, fleet) <= _queue_end_s(model, fleet)


def _claimants(model: str, fleet: FleetState) -> Sequence[Claimant]:
    if model in fleet.claimants:
        return fleet.claimants[model]
    job_s = fleet.others_job_s.get(model, fleet.job_s.get(model, DEFAULT_JOB_S))
    return [Claimant(0.0, job_s)] * fleet.claims.get(model, 0)


def _queue_end_s(model: str, fleet: FleetState, jobs: int | None = None) -> float:
    """When the claimants would finish the queued jobs, each next job going to whoever ends it first.

    Earliest-finish-time list scheduling over the claimants as they are now: a claimant still
    busy with a long job is not counted as free, so a slow idle machine may take the last job
    of a queue whose fast claimant will not be free in time (and leaves it otherwise).
    """
    ends = [(c.free_in_s + c.job_s, c.job_s) for c in _claimants(model, fleet)]
    if not ends:
        return float("inf")
    heapq.heapify(ends)
    last = 0.0
    for _ in range(fleet.backlog.get(model, 0) if jobs is None else jobs):
        end, job_s = heapq.heappop(ends)
        last = end
        heapq.heappush(ends, (end + job_s, job_s))
    return last


def _queue_end_with_me_s(model: str, me: MachineState, fleet: FleetState) -> float:
    """When the queue is done if this machine takes its next job now (loading the model if needed)."""
    load_s = 0.0 if model == me.loaded else fleet.load_s.get(model, DEFAULT_LOAD_S)
    mine_s = load_s + fleet.job_s.get(model, DEFAULT_JOB_S)
    return max(mine_s, _queue_end_s(model, fleet, fleet.backlog.get(model, 0) - 1))
