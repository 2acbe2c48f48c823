"""The dispatch's knobs, read from the environment once (all optional; defaults in brackets).

    DISPATCH                 affinity | all | shared: the strategy (``worker.dispatch.strategies``) [affinity]
    DISPATCH_POLL_S          seconds between two steps of a GPU worker's controller [5]
    DISPATCH_LEASE_S         a machine's fleet record expires this long after its last renewal [30]
    DISPATCH_LOAD_S          expected seconds to load a model [30]
    DISPATCH_JOB_TOKENS      expected completion tokens of a job [3000]
    GPU_TOKENS_PER_S         this machine's decode rate, for balancing only [30]
    DISPATCH_BOUNCE_PAUSE_S  DISPATCH=shared only: the pause after handing a job back [0.5]

A bad value raises ``SettingsError`` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scheduler.core.errors import SettingsError


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
            poll_s=positive_number(env, "DISPATCH_POLL_S", cls.poll_s),
            lease_s=positive_number(env, "DISPATCH_LEASE_S", cls.lease_s),
            load_s=positive_number(env, "DISPATCH_LOAD_S", cls.load_s),
            job_tokens=positive_number(env, "DISPATCH_JOB_TOKENS", cls.job_tokens),
            decode_tps=positive_number(env, "GPU_TOKENS_PER_S", cls.decode_tps),
        )


def positive_number(env: Mapping[str, str], name: str, default: float) -> float:
    """The env var `name` as a number above 0 (`default` when unset or blank); SettingsError otherwise."""
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
