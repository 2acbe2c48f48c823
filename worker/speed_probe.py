"""The single-stream speed of a (model, machine): a fixed prompt decoded alone, repeated.

A generation's decode rate depends on how many others the server decoded beside it, so reports
take a model's tok/s from these probes instead (scheduler/reports/speed.py). A probe runs only
when this worker has no generation in flight, so it is alone on its server:

- `load`: before the worker first serves a model (the affinity dispatch, at the switch that
  waited for the slots to drain; DISPATCH=all, before the worker starts consuming);
- `idle`: when the slots drained after a busy period of `SPEED_PROBE_BUSY_S` since the last
  probe (a warm GPU, a throttled one, a power profile changed meanwhile show up here).

    SPEED_PROBE_TOKENS    tokens decoded per repeat; 0 turns probes off [128]
    SPEED_PROBE_REPEATS   repeats; the figure is their median [3]
    SPEED_PROBE_BUSY_S    busy seconds before an `idle` probe [1800]

(read with every other setting: `Settings.speed_probe`, scheduler/core/settings.py).

Each repeat is the same request (seed 0, temperature 0, no prompt cache), its rate the server's
`timings.predicted_per_second`. The consumer stays on during an `idle` probe, so a job may arrive
while it runs: a repeat during which this worker held or started a task (`worker.slots.activity`)
is dropped, and a probe left with no repeat stores nothing and stays due. A failed probe is logged
and stores nothing: it never stops work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.core.settings import SpeedProbeSettings, get_settings
from scheduler.db.speed import store_probe
from scheduler.db.vocabulary import ProbeReason
from worker.chat import ChatRequest, ChatResult
from worker.client import ChatClient
from worker.provenance import provenance
from worker.slots import activity

log = logging.getLogger(__name__)

PROBE_PROMPT = "Count from one to five hundred in words, one number per line, and nothing else."
PROBE_TIMEOUT_S = 600.0


@dataclass
class SpeedProber:
    """Runs and stores this machine's probes; remembers when each model was last probed."""

    client: ChatClient
    worker_name: str
    host: str
    settings: SpeedProbeSettings = field(default_factory=lambda: get_settings().speed_probe)
    probed_at: dict[str, float] = field(default_factory=dict)  # model -> monotonic time of its last probe
    busy_since_probe: dict[str, bool] = field(default_factory=dict)  # model -> generated since then
    read_activity: Callable[[], tuple[int, int]] = activity  # worker.slots.activity: what ran beside a repeat

    def before_serving(self, model: str) -> bool:
        """A `load` probe of `model` unless this process probed it already; True if one was stored."""
        if model in self.probed_at:
            return False
        return self.probe(model, ProbeReason.LOAD)

    def note_busy(self, model: str | None) -> None:
        """This worker is generating for `model` now."""
        if model is not None:
            self.busy_since_probe[model] = True

    def idle_due(self, model: str | None) -> bool:
        """Whether `model` was busy since its last probe, SPEED_PROBE_BUSY_S or more ago."""
        if model is None or not self.busy_since_probe.get(model):
            return False
        return time.monotonic() - self.probed_at.get(model, 0.0) >= self.settings.busy_s

    def when_drained(self, model: str) -> bool:
        """An `idle` probe of `model` if one is due; True if one was stored."""
        return self.idle_due(model) and self.probe(model, ProbeReason.IDLE)

    def probe(self, model: str, reason: ProbeReason) -> bool:
        """Decode the probe prompt `repeats` times and store the figure; False when off or failed."""
        self.probed_at[model] = time.monotonic()
        self.busy_since_probe[model] = False
        if self.settings.tokens == 0:
            return False
        request = ChatRequest(model=model, prompt=PROBE_PROMPT, seed=0, temperature=0.0,
                              max_tokens=self.settings.tokens, timeout_s=PROBE_TIMEOUT_S)  # fmt: skip
        try:
            results = [
                r for r in (self._alone(request) for _ in range(self.settings.repeats)) if r is not None
            ]
            runs = [r.decode_tps for r in results if r.decode_tps]
            if not results:
                log.info(
                    "speed probe of %s (%s): work arrived during every repeat; it stays due", model, reason
                )
                self.busy_since_probe[model] = True
                return False
            if not runs:
                log.warning("speed probe of %s: the server reported no decode rate", model)
                return False
            prompt = [r.prompt_tps for r in results if r.prompt_tps]
            store_probe(
                model=model,
                worker_name=self.worker_name,
                host=self.host,
                decode_runs=runs,
                prompt_tps=max(prompt) if prompt else None,
                tokens=max(r.completion_tokens or 0 for r in results),
                provenance=provenance(self.client, model),
                reason=reason,
            )
        except Exception:  # the server or database away: the probe is skipped, work goes on
            log.warning("speed probe of %s (%s) failed", model, reason, exc_info=True)
            return False
        log.info("speed probe of %s (%s): %s tok/s", model, reason, ", ".join(f"{r:.1f}" for r in runs))
        return True

    def _alone(self, request: ChatRequest) -> ChatResult | None:
        """One repeat, or None when this worker held or started a task while it ran."""
        before = self.read_activity()
        result = self.client.complete(request)
        return result if before[0] == 0 and self.read_activity() == before else None
