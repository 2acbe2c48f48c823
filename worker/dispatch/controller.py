"""The thread that keeps a GPU worker on one model queue at a time (DISPATCH=affinity).

``FleetController`` runs in the GPU worker's main process. Every ``DISPATCH_POLL_S`` it renews
this machine's fleet record (``worker.dispatch.records``) and, when the queue it consumes is
empty, takes the fleet lock (``scheduler.core.queues.FLEET_LOCK_KEY``), reads the backlogs, the live
records and how long each claimant's running attempt has gone (Postgres), asks
``worker.dispatch.policy.choose_model`` and switches its consumer with Celery's remote control
(``add_consumer`` / ``cancel_consumer`` addressed to itself). With N slots the worker runs N
generations of one model at once; a switch to another model waits until all of them ended
(``worker.slots.in_flight``), so llama-swap never unloads a model under a running generation. Before it first consumes a
model's queue it measures the model's single-stream speed alone (``worker.speed_probe``), and again
when its slots drained after a long busy period.
The worker starts consuming only its standby queue ``gpu.<host>``, so it takes no job before
the first decision. It also re-queues the running job of a machine whose record expired (``worker.dispatch.requeue``), writes the model
llama-swap has loaded to the ``workers`` table for ``scheduler status``, and leaves paused models
out of every decision (``worker.dispatch.pauses``): a worker on a paused model's queue switches
away at its next poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from scheduler.core.broker import redis_client
from scheduler.core.queues import FLEET_LOCK_KEY, generation_queue
from scheduler.core.settings import DispatchSettings, get_settings
from scheduler.db import DATABASE_ERRORS
from scheduler.db.vocabulary import WorkerRole
from scheduler.db.workers import record_loaded_model, running_attempts_elapsed_s, running_task_ids
from worker.client import ChatClient
from worker.dispatch.pauses import PauseReader
from worker.dispatch.policy import Decision, FleetState, MachineState, Reason, choose_model
from worker.dispatch.records import (
    backlog_of,
    claimant_of,
    drop_record,
    publish_record,
    read_machines,
    record_decode_tps,
)
from worker.dispatch.requeue import restore_unacked
from worker.slots import in_flight
from worker.speed_probe import SpeedProber

log = logging.getLogger(__name__)

LOCK_TTL_MS = 5000
# Polls in a row with the current model's messages waiting and no generation running before the
# worker's consumer is asked for that queue again: a remote-control message lost while the broker
# was away (a Redis restart; celery/celery#8030 and #8082 describe workers that stop consuming after
# one) would otherwise leave the worker idle beside its own queue. Celery's `add_consumer` leaves a
# queue it already consumes as it is, so asking again is harmless.
STALL_POLLS = 3


class FleetController:
    """Keeps one GPU worker on one model queue at a time, chosen by the dispatch."""

    def __init__(self, app: Any, node_name: str, host: str, redis_url: str, llama_swap_url: str,
                 settings: DispatchSettings | None = None) -> None:  # fmt: skip
        self.app = app
        self.node_name = node_name
        self.host = host
        self.settings = settings or get_settings().dispatch
        self.redis = redis_client(redis_url)
        self.llama_swap_url = llama_swap_url.rstrip("/")
        self.current: str | None = None
        self.served: list[str] = []
        self.loaded: str | None = None
        self.recorded_loaded: str | None = None  # what the workers table says this machine holds
        self.decisions: list[tuple[float, Decision]] = []
        self.seen: dict[str, str] = {}  # host -> Celery node of every machine seen alive
        self.restored: list[str] = []  # task ids of dead machines' jobs this controller re-queued
        self.pauses = PauseReader(self.redis)  # paused models are left out of every decision
        info = (getattr(app.conf, "quantsweep_worker", None) or {}).get("info") or {}
        self.slots = int(info.get("slots") or 1)  # generations at once (worker.slots)
        self.prober = SpeedProber(ChatClient(self.llama_swap_url), node_name, host)
        self._probe: threading.Thread | None = None  # a speed probe running (worker.speed_probe)
        self._consume_after_probe = False  # a `load` probe: the model's queue is consumed once it ends
        self._stalled = 0  # polls in a row with the current queue's messages waiting and none running
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fleet-controller", daemon=True)

    def start(self) -> None:
        """Start deciding in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop deciding and drop this machine's record (its claim)."""
        self._stop.set()
        self._thread.join(timeout=10)
        drop_record(self.redis, self.host)

    def _run(self) -> None:
        try:
            self._requeue_job_of_previous_process()
        except Exception:  # Postgres or Redis away: the others still re-queue it once this lease lapses
            log.warning(
                "dispatch: could not look for a job of this machine's previous process", exc_info=True
            )
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # Redis or llama-swap away for a moment: try again next tick
                log.warning("fleet controller step failed", exc_info=True)
            self._stop.wait(self.settings.poll_s)

    def step(self) -> Decision | None:
        """Refresh what this machine knows; re-decide if its queue ran dry. Returns a new decision."""
        self._look_at_llama_swap()
        self.pauses.read()
        self._record_loaded_model()
        self._publish()
        self._requeue_dead_machines_jobs()
        if self._probe is not None:
            if self._probe.is_alive():
                return (
                    None  # a speed probe runs alone: no decision (and after a switch, no job) until it ends
                )
            self._probe = None
            if self._consume_after_probe:
                self._consume(self.current)
        running = in_flight()
        if running:
            self.prober.note_busy(self.current)
        backlog = backlog_of(self.redis, [self.current])[self.current] if self.current is not None else 0
        if not running and not backlog and self.current == self.loaded and self.prober.idle_due(self.current):
            self._start_probe(self.prober.when_drained, consume_after=False)
            return None
        self._check_consuming(backlog, running)
        if self.current is not None and backlog > 0:
            own = self._decide(locked=False)
            if own.reason is Reason.CONTINUE:
                return None
        if not self.redis.set(FLEET_LOCK_KEY, self.host, nx=True, px=LOCK_TTL_MS):
            return None  # another machine is deciding; look again next tick
        try:
            decision = self._decide(locked=True)
            if decision.model not in (self.current, None) and self._draining():
                return None  # a swap waits until every slot of the loaded model is free
            if decision.model != self.current:
                self._switch(decision.model)
                self.decisions.append((time.time(), decision))
                log.info("dispatch: %s -> %s (%s)", self.host, decision.model, decision.reason)
            self._publish()
            return decision
        finally:
            if self.redis.get(FLEET_LOCK_KEY) in (self.host.encode(), self.host):
                self.redis.delete(FLEET_LOCK_KEY)

    def _check_consuming(self, backlog: int, running: int) -> None:
        """Ask for the current model's queue again after STALL_POLLS polls in a row with its messages
        waiting and no generation running (a paused model's queue is left alone)."""
        current = self.current
        if current is None or not backlog or running or current in self.pauses.paused:
            self._stalled = 0
            return
        self._stalled += 1
        if self._stalled >= STALL_POLLS:
            log.warning("dispatch: %s has %d message(s) waiting on %s and none running: asking its"
                        " consumer for the queue again", self.host, backlog, generation_queue(current))  # fmt: skip
            self._consume(current)
            self._stalled = 0

    def _draining(self) -> bool:
        """True while this worker still runs generations: llama-swap would unload their model."""
        running = in_flight()
        if running:
            log.info("dispatch: %s waits for %d running generation(s) before a swap", self.host, running)
        return running > 0

    def _requeue_job_of_previous_process(self) -> None:
        """Put back the job this machine was running when its previous worker process died.

        A worker restarted within DISPATCH_LEASE_S renews its record before the others see it
        expire, so none of them re-queues its killed job, and the broker would only redeliver it
        after the visibility timeout. Called before the first decision: until then this worker
        consumes only its standby queue, so a running attempt under its node name is the dead
        process's.
        """
        task_ids = running_task_ids([self.node_name])
        if task_ids:
            self.restored += restore_unacked(self.app, task_ids)

    def _requeue_dead_machines_jobs(self) -> None:
        """Put the job a dead machine was running back on its queue now, not after the visibility timeout.

        A machine whose record expired (it renewed nothing for DISPATCH_LEASE_S) is dead; the
        message of its running attempt waits in kombu's ``unacked`` hash until the broker's
        visibility timeout (hours in production). Restoring it as kombu itself does (one Redis
        transaction, so it happens once even when several machines see the death) lets another
        machine re-run the job within about one lease. A machine that was only slow is harmless:
        its job's Postgres lease makes the early copy wait and then drop.
        """
        alive = {
            h: str(r.get("node") or f"{WorkerRole.GPU}@{h}") for h, r in read_machines(self.redis).items()
        }
        dead = [node for host, node in self.seen.items() if host not in alive]
        self.seen = alive
        if not dead:
            return
        task_ids = running_task_ids(dead)
        if task_ids:
            self.restored += restore_unacked(self.app, task_ids)

    def _decide(self, *, locked: bool) -> Decision:
        candidates = [m for m in self.served if m not in self.pauses.paused]
        others = {h: m for h, m in read_machines(self.redis).items() if h != self.host}
        backlog = backlog_of(self.redis, candidates)
        claims = {m: sum(1 for o in others.values() if o.get("current") == m) for m in candidates}
        servers = {m: 1 + sum(1 for o in others.values() if m in o.get("served", [])) for m in candidates}
        tokens = self.settings.job_tokens
        claimed = {m for m in candidates if claims[m]}
        running_s = self._running_jobs_elapsed_s() if claimed else {}
        claimants = {
            m: [claimant_of(o, tokens, running_s) for o in others.values() if o.get("current") == m]
            for m in claimed
        }
        others_job_s = {
            m: min(tokens / record_decode_tps(o) for o in others.values() if m in o.get("served", []))
            for m in candidates
            if servers[m] > 1
        }
        fleet = FleetState(
            backlog=backlog,
            claims=claims,
            servers=servers,
            job_s={m: tokens / self.settings.decode_tps for m in candidates},
            load_s={m: self.settings.load_s for m in candidates},
            others_job_s=others_job_s,
            claimants=claimants,
        )
        me = MachineState(self.host, frozenset(candidates), self.loaded, self.current)
        return choose_model(me, fleet)

    def _running_jobs_elapsed_s(self) -> dict[str, float]:
        """Seconds each worker's running attempt has been going, by Celery node (Postgres's clock)."""
        try:
            return running_attempts_elapsed_s()
        except Exception:  # Postgres away: decide as if every claimant were free now
            log.warning("dispatch: running attempts unreadable; claimants taken as free", exc_info=True)
            return {}

    def _switch(self, model: str | None) -> None:
        """Stop consuming the current model's queue and start on `model`'s, after its speed probe
        when this process has not probed it yet (in a thread: the record keeps being renewed while
        the first request loads the model)."""
        if self.current is not None:
            self.app.control.cancel_consumer(generation_queue(self.current), destination=[self.node_name],
                                             reply=True, timeout=5)  # fmt: skip
        self.current = model
        if model is None:
            return
        if model not in self.prober.probed_at:
            self._start_probe(self.prober.before_serving, consume_after=True)
            return
        self._consume(model)

    def _start_probe(self, probe: Callable[[str], bool], *, consume_after: bool) -> None:
        self._consume_after_probe = consume_after
        self._probe = threading.Thread(target=probe, args=(self.current,), name="speed-probe", daemon=True)
        self._probe.start()

    def _consume(self, model: str | None) -> None:
        if model is not None:
            replies = self.app.control.add_consumer(generation_queue(model), destination=[self.node_name],
                                                    reply=True, timeout=5)  # fmt: skip
            if not replies:  # lost (the broker away): `_check_consuming` asks again
                log.warning("dispatch: %s: no answer to add_consumer %s", self.host, generation_queue(model))

    def _look_at_llama_swap(self) -> None:
        with httpx.Client(base_url=self.llama_swap_url, timeout=5) as client:
            data = client.get("/v1/models").json().get("data", [])
            self.served = sorted(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)
            answer = client.get("/running")
        if answer.status_code == 404 and len(self.served) == 1:
            # A bare llama-server (no llama-swap in front): it has no /running, and it serves
            # exactly the one model it loaded at start.
            self.loaded = self.served[0]
            return
        running = answer.json().get("running", [])
        ready = [
            r["model"] for r in running if isinstance(r, dict) and r.get("state") in ("ready", "starting")
        ]
        self.loaded = ready[0] if ready else None

    def _record_loaded_model(self) -> None:
        """Keep `workers.loaded_model` (what `scheduler status` shows) on what llama-swap reports."""
        if self.loaded == self.recorded_loaded:
            return
        try:
            record_loaded_model(self.node_name, self.loaded)
        except DATABASE_ERRORS:  # Postgres away: written at a later step
            log.warning("dispatch: could not record the loaded model %s", self.loaded, exc_info=True)
            return
        self.recorded_loaded = self.loaded

    def _publish(self) -> None:
        record = {
            "served": self.served,
            "loaded": self.loaded,
            "current": self.current,
            "decode_tps": self.settings.decode_tps,
            "node": self.node_name,
            "slots": self.slots,
        }
        publish_record(self.redis, self.host, record, self.settings.lease_s)
