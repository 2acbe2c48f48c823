"""The GPU fleet as Redis sees it, and the thread that makes a GPU worker follow the dispatch.

Each GPU worker publishes one record (``scheduler.queues.fleet_machine_key``), a lease (expires after
``DISPATCH_LEASE_S`` unless renewed): the models its llama-swap serves, the model it has
loaded, the model queue it consumes (its claim) and its decode rate. A dead machine's
record expires, so its claim disappears and the others take its model over.

``FleetController`` runs in the GPU worker's main process. Every ``DISPATCH_POLL_S`` it
renews the record and, when the queue it consumes is empty, takes the fleet lock
(``FLEET_LOCK_KEY``), reads the backlogs (``LLEN gen.<model>``), the live records and how long
each claimant's running attempt has gone (Postgres), asks ``worker.dispatch.choose_model`` and switches its consumer with Celery's remote control
(``add_consumer`` / ``cancel_consumer`` addressed to itself). A worker starts consuming only
its standby queue ``gpu.<host>``, so it takes no job before its first decision.

Environment (all optional): DISPATCH_POLL_S (5), DISPATCH_LEASE_S (30), DISPATCH_LOAD_S (30:
expected model load), DISPATCH_JOB_TOKENS (3000: expected completion tokens a job),
GPU_TOKENS_PER_S (30: this machine's decode rate, for balancing only), DISPATCH (affinity;
"all" and "shared" are the naive baselines bench/fleet compares against), DISPATCH_BOUNCE_PAUSE_S
(0.5: DISPATCH=shared only, the pause after handing back a job for a model not served here).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import redis
from celery import signals

from scheduler.db import DATABASE_ERRORS
from scheduler.db.lifecycle import job_model
from scheduler.db.vocabulary import WorkerRole
from scheduler.db.workers import running_attempts_elapsed_s, running_task_ids
from scheduler.errors import SettingsError
from scheduler.queues import (
    FLEET_LOCK_KEY,
    FLEET_MACHINE_KEY_PREFIX,
    GENERATE_TASK,
    SHARED_QUEUE,
    fleet_machine_key,
    generation_queue,
    queue_lists,
    standby_queue,
)
from scheduler.settings import get_settings
from worker.dispatch import Claimant, Decision, FleetState, MachineState, Reason, choose_model

log = logging.getLogger(__name__)

LOCK_TTL_MS = 5000

@dataclass(frozen=True)
class DispatchSettings:
    """The dispatch's knobs, read from the environment once."""

    poll_s: float = 5.0
    lease_s: float = 30.0
    load_s: float = 30.0
    job_tokens: float = 3000.0
    decode_tps: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DispatchSettings:
        """Read DISPATCH_* and GPU_TOKENS_PER_S; raise SettingsError naming a bad one."""
        env = os.environ if environ is None else environ
        return cls(
            poll_s=_positive(env, "DISPATCH_POLL_S", cls.poll_s),
            lease_s=_positive(env, "DISPATCH_LEASE_S", cls.lease_s),
            load_s=_positive(env, "DISPATCH_LOAD_S", cls.load_s),
            job_tokens=_positive(env, "DISPATCH_JOB_TOKENS", cls.job_tokens),
            decode_tps=_positive(env, "GPU_TOKENS_PER_S", cls.decode_tps),
        )


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"invalid number for env var {name!r}: {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"env var {name!r} must be above 0, got {raw!r}")
    return value


def _decode_tps(record: Mapping[str, Any]) -> float:
    """A machine record's published decode rate (tokens per second)."""
    return float(record.get("decode_tps") or 1.0)


def claimant_of(record: Mapping[str, Any], job_tokens: float, running_s: Mapping[str, float]) -> Claimant:
    """Another machine consuming a model: free when its running job (if any) reaches the expected length."""
    job_s = job_tokens / _decode_tps(record)
    elapsed_s = running_s.get(str(record.get("node")))
    return Claimant(0.0 if elapsed_s is None else max(0.0, job_s - elapsed_s), job_s)


def backlog_of(r: redis.Redis, models: list[str]) -> dict[str, int]:
    """Messages waiting in each model's generation queue (all priority lists)."""
    pipe = r.pipeline()
    lists = [queue_lists(generation_queue(model)) for model in models]
    for names in lists:
        for name in names:
            pipe.llen(name)
    counts = iter(pipe.execute())
    return {m: sum(int(next(counts)) for _ in names) for m, names in zip(models, lists, strict=True)}


def read_machines(r: redis.Redis) -> dict[str, dict[str, Any]]:
    """Every live machine record, by host."""
    keys = sorted(r.scan_iter(match=f"{FLEET_MACHINE_KEY_PREFIX}*", count=100))
    values = r.mget(keys) if keys else []
    machines = {}
    for key, value in zip(keys, values, strict=True):
        if value:
            host = (key.decode() if isinstance(key, bytes) else key).removeprefix(FLEET_MACHINE_KEY_PREFIX)
            machines[host] = json.loads(value)
    return machines


def restore_unacked(app: Any, task_ids: set[str]) -> list[str]:
    """Re-queue the delivered-but-unacknowledged messages of these tasks; return the ones restored."""
    restored = []
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            payload = json.loads(raw)[0]
            task_id = str(payload.get("headers", {}).get("id", ""))
            if task_id in task_ids:
                channel.qos.restore_by_tag(tag.decode() if isinstance(tag, bytes) else tag)
                restored.append(task_id)
                log.warning("dispatch: task %s of a dead machine put back on its queue", task_id)
    return restored


class FleetController:
    """Keeps one GPU worker on one model queue at a time, chosen by the dispatch."""

    def __init__(self, app: Any, node_name: str, host: str, redis_url: str, llama_swap_url: str,
                 settings: DispatchSettings | None = None) -> None:  # fmt: skip
        self.app = app
        self.node_name = node_name
        self.host = host
        self.settings = settings or DispatchSettings.from_env()
        self.redis = redis.Redis.from_url(redis_url)
        self.llama_swap_url = llama_swap_url.rstrip("/")
        self.current: str | None = None
        self.served: list[str] = []
        self.loaded: str | None = None
        self.recorded_loaded: str | None = None  # what the workers table says this machine holds
        self.decisions: list[tuple[float, Decision]] = []
        self.seen: dict[str, str] = {}  # host -> Celery node of every machine seen alive
        self.restored: list[str] = []  # task ids of dead machines' jobs this controller re-queued
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fleet-controller", daemon=True)

    def start(self) -> None:
        """Start deciding in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop deciding and drop this machine's record (its claim)."""
        self._stop.set()
        self._thread.join(timeout=10)
        self.redis.delete(fleet_machine_key(self.host))

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
        self._record_loaded_model()
        self._publish()
        self._requeue_dead_machines_jobs()
        if self.current is not None and backlog_of(self.redis, [self.current])[self.current] > 0:
            own = self._decide(locked=False)
            if own.reason is Reason.CONTINUE:
                return None
        if not self.redis.set(FLEET_LOCK_KEY, self.host, nx=True, px=LOCK_TTL_MS):
            return None  # another machine is deciding; look again next tick
        try:
            decision = self._decide(locked=True)
            if decision.model != self.current:
                self._switch(decision.model)
                self.decisions.append((time.time(), decision))
                log.info("dispatch: %s -> %s (%s)", self.host, decision.model, decision.reason)
            self._publish()
            return decision
        finally:
            if self.redis.get(FLEET_LOCK_KEY) in (self.host.encode(), self.host):
                self.redis.delete(FLEET_LOCK_KEY)

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
        alive = {h: str(r.get("node") or f"{WorkerRole.GPU}@{h}") for h, r in read_machines(self.redis).items()}
        dead = [node for host, node in self.seen.items() if host not in alive]
        self.seen = alive
        if not dead:
            return
        task_ids = running_task_ids(dead)
        if task_ids:
            self.restored += restore_unacked(self.app, task_ids)

    def _decide(self, *, locked: bool) -> Decision:
        others = {h: m for h, m in read_machines(self.redis).items() if h != self.host}
        backlog = backlog_of(self.redis, self.served)
        claims = {m: sum(1 for o in others.values() if o.get("current") == m) for m in self.served}
        servers = {m: 1 + sum(1 for o in others.values() if m in o.get("served", [])) for m in self.served}
        tokens = self.settings.job_tokens
        claimed = {m for m in self.served if claims[m]}
        running_s = self._running_jobs_elapsed_s() if claimed else {}
        claimants = {
            m: [claimant_of(o, tokens, running_s) for o in others.values() if o.get("current") == m]
            for m in claimed
        }
        others_job_s = {
            m: min(tokens / _decode_tps(o) for o in others.values() if m in o.get("served", []))
            for m in self.served
            if servers[m] > 1
        }
        fleet = FleetState(
            backlog=backlog,
            claims=claims,
            servers=servers,
            job_s={m: tokens / self.settings.decode_tps for m in self.served},
            load_s={m: self.settings.load_s for m in self.served},
            others_job_s=others_job_s,
            claimants=claimants,
        )
        me = MachineState(self.host, frozenset(self.served), self.loaded, self.current)
        return choose_model(me, fleet)

    def _running_jobs_elapsed_s(self) -> dict[str, float]:
        """Seconds each worker's running attempt has been going, by Celery node (Postgres's clock)."""
        try:
            return running_attempts_elapsed_s()
        except Exception:  # Postgres away: decide as if every claimant were free now
            log.warning("dispatch: running attempts unreadable; claimants taken as free", exc_info=True)
            return {}

    def _switch(self, model: str | None) -> None:
        control = self.app.control
        if model is not None:
            control.add_consumer(generation_queue(model), destination=[self.node_name], reply=True, timeout=5)
        if self.current is not None:
            control.cancel_consumer(generation_queue(self.current), destination=[self.node_name], reply=True,
                                    timeout=5)  # fmt: skip
        self.current = model

    def _look_at_llama_swap(self) -> None:
        with httpx.Client(base_url=self.llama_swap_url, timeout=5) as client:
            data = client.get("/v1/models").json().get("data", [])
            self.served = sorted(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)
            running = client.get("/running").json().get("running", [])
        ready = [
            r["model"] for r in running if isinstance(r, dict) and r.get("state") in ("ready", "starting")
        ]
        self.loaded = ready[0] if ready else None

    def _record_loaded_model(self) -> None:
        """Keep `workers.loaded_model` (what `scheduler status` shows) on what llama-swap reports."""
        if self.loaded == self.recorded_loaded:
            return
        from scheduler.db.workers import record_loaded_model

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
            "at": time.time(),
        }
        self.redis.set(fleet_machine_key(self.host), json.dumps(record), px=int(self.settings.lease_s * 1000))


# affinity: this module; all: every served model queue at once; shared: one queue for every GPU
# job, jobs for unserved models handed back (the naive baseline of bench/fleet, never for real runs)
DISPATCH_MODES = ("affinity", "all", "shared")
DEFAULT_BOUNCE_PAUSE_S = 0.5


def dispatch_mode(environ: Mapping[str, str] | None = None) -> str:
    """DISPATCH: "affinity" (default), "all" or "shared" (the naive baselines, see DISPATCH_MODES)."""
    env = os.environ if environ is None else environ
    mode = env.get("DISPATCH", "").strip() or "affinity"
    if mode not in DISPATCH_MODES:
        raise SettingsError(f"env var 'DISPATCH' must be one of {', '.join(DISPATCH_MODES)}, got {mode!r}")
    return mode


def initial_queues(host: str, served: list[str]) -> list[str]:
    """The queues a GPU worker starts on: its standby queue, or (DISPATCH=all) every served queue."""
    mode = dispatch_mode()
    if mode == "all":
        return sorted(generation_queue(m) for m in set(served))
    if mode == "shared":
        return [SHARED_QUEUE]
    return [standby_queue(host)]


def bounce_unserved(task: Any, job_id: int) -> bool:
    """DISPATCH=shared: hand a job for a model this machine does not serve back to the shared queue.

    The message is published again at the queue's tail and this delivery ends (acked) without
    claiming the job, so another machine gets it; then the worker pauses DISPATCH_BOUNCE_PAUSE_S
    so machines holding only unserved jobs do not spin. False (run the job) in any other mode.
    """
    if dispatch_mode() != "shared":
        return False
    served = (getattr(task.app.conf, "quantsweep_worker", None) or {}).get("served_models") or []
    model = job_model(job_id)
    if model is None or model in served:
        return False  # unknown jobs go through the normal claim (which drops or retries them)
    task.app.send_task(GENERATE_TASK, args=[job_id], queue=SHARED_QUEUE, ignore_result=True)
    log.info("dispatch=shared: job %s is for %s, not served here; handed back", job_id, model)
    time.sleep(_positive(os.environ, "DISPATCH_BOUNCE_PAUSE_S", DEFAULT_BOUNCE_PAUSE_S))
    return True


_controllers: list[FleetController] = []


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start_controller(sender: Any = None, **_: Any) -> None:
    app = getattr(sender, "app", None)
    config = getattr(getattr(app, "conf", None), "quantsweep_worker", None) or {}
    if config.get("role") != WorkerRole.GPU or dispatch_mode() != "affinity":
        return
    settings = get_settings()
    node = str(getattr(sender, "hostname", "") or f"{WorkerRole.GPU}@{settings.worker_host}")
    controller = FleetController(app, node, settings.worker_host, settings.redis_url, settings.llama_swap_url)
    controller.start()
    _controllers.append(controller)


@signals.worker_shutdown.connect  # type: ignore[untyped-decorator]
def _stop_controllers(**_: Any) -> None:
    while _controllers:
        _controllers.pop().stop()
