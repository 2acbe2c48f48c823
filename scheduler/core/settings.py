"""One typed settings object, read from the environment once, at the edge: the only code of the
scheduler and the worker that reads `os.environ` (`Settings.from_env`, cached by `get_settings`).
The dispatch's knobs (a GPU machine's slots included) and the speed probe's are typed blocks of it
(`Settings.dispatch`, `Settings.speed_probe`).

Every variable is documented in the README's "Configuration" section. A bad value fails with the
variable's name and what is expected; passwords in URLs are masked wherever settings are shown.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scheduler.core.errors import SettingsError

PACKAGED_SWEEPS_DIR = Path(__file__).parent.parent / "sweeps"
DISPATCH_MODES = ("affinity", "all", "shared")  # worker.dispatch.strategies: one strategy each
MAX_SLOTS = 256  # GPU_SLOTS' bound: llama-server's own slots are bounded by memory long before this
SECRET_FIELDS = ("flower_basic_auth",)  # shown as *** (and URLs with their password masked)


def mask_url(url: str) -> str:
    """Return `url` with any password replaced by `***`."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


@dataclass(frozen=True)
class DispatchSettings:
    """The GPU dispatch's knobs (all optional; defaults in brackets).

    DISPATCH                 affinity | all | shared: the strategy (``worker.dispatch.strategies``) [affinity]
    DISPATCH_POLL_S          seconds between two steps of a GPU worker's controller [5]
    DISPATCH_LEASE_S         a machine's fleet record expires this long after its last renewal [30]
    DISPATCH_LOAD_S          expected seconds to load a model [30]
    DISPATCH_JOB_TOKENS      expected completion tokens of a job [3000]
    GPU_TOKENS_PER_S         this machine's decode rate, for balancing only [30]
    DISPATCH_BOUNCE_PAUSE_S  DISPATCH=shared only: the pause after handing a job back [0.5]
    GPU_SLOTS                the slots of this machine's server, 1..MAX_SLOTS [unset: `/props`
                             `total_slots` of the first served model, else 1; ``worker.slots``]
    """

    mode: str = "affinity"
    poll_s: float = 5.0
    lease_s: float = 30.0
    load_s: float = 30.0
    job_tokens: float = 3000.0
    decode_tps: float = 30.0
    bounce_pause_s: float = 0.5
    slots: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DispatchSettings:
        """Read DISPATCH, DISPATCH_*, GPU_TOKENS_PER_S and GPU_SLOTS; raise SettingsError naming a bad one."""
        mode = env.get("DISPATCH", "").strip() or cls.mode
        if mode not in DISPATCH_MODES:
            raise SettingsError(
                f"env var 'DISPATCH' must be one of {', '.join(DISPATCH_MODES)}, got {mode!r}"
            )
        return cls(
            mode=mode,
            poll_s=_positive(env, "DISPATCH_POLL_S", cls.poll_s),
            lease_s=_positive(env, "DISPATCH_LEASE_S", cls.lease_s),
            load_s=_positive(env, "DISPATCH_LOAD_S", cls.load_s),
            job_tokens=_positive(env, "DISPATCH_JOB_TOKENS", cls.job_tokens),
            decode_tps=_positive(env, "GPU_TOKENS_PER_S", cls.decode_tps),
            bounce_pause_s=_positive(env, "DISPATCH_BOUNCE_PAUSE_S", cls.bounce_pause_s),
            slots=_slots(env, "GPU_SLOTS"),
        )


@dataclass(frozen=True)
class SpeedProbeSettings:
    """How long and how often a GPU machine measures its single-stream speed (``worker.speed_probe``).

    SPEED_PROBE_TOKENS    tokens decoded per repeat; 0 turns probes off [128]
    SPEED_PROBE_REPEATS   repeats; the figure is their median [3]
    SPEED_PROBE_BUSY_S    busy seconds before an `idle` probe [1800]
    """

    tokens: int = 128
    repeats: int = 3
    busy_s: float = 1800.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SpeedProbeSettings:
        """Read SPEED_PROBE_*; raise SettingsError naming a bad one."""
        return cls(
            tokens=_whole(env, "SPEED_PROBE_TOKENS", cls.tokens, minimum=0),
            repeats=_whole(env, "SPEED_PROBE_REPEATS", cls.repeats, minimum=1),
            busy_s=float(_whole(env, "SPEED_PROBE_BUSY_S", int(cls.busy_s), minimum=1)),
        )


@dataclass(frozen=True)
class Settings:
    """quantsweep's configuration; build it with `Settings.from_env()`."""

    redis_url: str = "redis://localhost:6379/0"
    database_url: str = "postgresql:///quantsweep"
    llama_swap_url: str = "http://127.0.0.1:8080"
    worker_host: str = ""
    sweeps_dir: Path = PACKAGED_SWEEPS_DIR
    db_pool_max_size: int = 4
    visibility_timeout_s: int = 7200
    job_lease_s: int = 60  # a worker's claim on a job, renewed while it works; stale after this
    generation_retries: int = 3  # tries after the first when the model server fails (5xx, connection)
    generation_backoff_s: int = 5  # first pause between those tries, doubled each time
    max_attempts: int = 3  # attempts a job gets (worker deaths included) before it is recorded as failed
    reconcile_interval_s: int = 20  # seconds between the reconciler's passes (scheduler/fleet/reconcile.py)
    llama_server: str = ""  # the llama-server binary behind LLAMA_SWAP_URL, where known (the local run)
    flower_basic_auth: str = ""  # `user:password[,user:password]` for Flower (worker.flower checks its form)
    cache_dir: Path = (
        Path.home() / ".cache" / "quantsweep"
    )  # QUANTSWEEP_CACHE: model hashes kept between runs
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    speed_probe: SpeedProbeSettings = field(default_factory=SpeedProbeSettings)

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_url"):
                value = mask_url(value)
            elif f.name in SECRET_FIELDS and value:
                value = "***"
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable; raise SettingsError naming the first bad one."""
        env = os.environ if environ is None else environ
        return cls(
            redis_url=_url(env, "REDIS_URL", cls.redis_url, ("redis", "rediss", "unix")),
            database_url=_url(env, "DATABASE_URL", cls.database_url, ("postgresql", "postgres")),
            llama_swap_url=_url(env, "LLAMA_SWAP_URL", cls.llama_swap_url, ("http", "https")),
            worker_host=env.get("WORKER_HOST") or socket.gethostname(),
            sweeps_dir=_directory(env, "SWEEPS_DIR", cls.sweeps_dir),
            db_pool_max_size=_integer(env, "DB_POOL_MAX_SIZE", cls.db_pool_max_size, minimum=1),
            visibility_timeout_s=_integer(env, "VISIBILITY_TIMEOUT_S", cls.visibility_timeout_s, minimum=10),
            job_lease_s=_integer(env, "JOB_LEASE_S", cls.job_lease_s, minimum=2),
            generation_retries=_integer(env, "GENERATION_RETRIES", cls.generation_retries, minimum=0),
            generation_backoff_s=_integer(env, "GENERATION_BACKOFF_S", cls.generation_backoff_s, minimum=0),
            max_attempts=_integer(env, "MAX_ATTEMPTS", cls.max_attempts, minimum=1),
            reconcile_interval_s=_integer(env, "RECONCILE_INTERVAL_S", cls.reconcile_interval_s, minimum=1),
            llama_server=env.get("LLAMA_SERVER", ""),
            flower_basic_auth=env.get("FLOWER_BASIC_AUTH", ""),
            cache_dir=Path(env.get("QUANTSWEEP_CACHE", "").strip() or cls.cache_dir).expanduser(),
            dispatch=DispatchSettings.from_env(env),
            speed_probe=SpeedProbeSettings.from_env(env),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings.from_env()


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.get(name, "").strip() or default
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (parsing it is the check: a port that is not a number raises)
    except ValueError as exc:
        raise SettingsError(f"invalid URL in env var {name!r}: {_masked(value)!r} ({exc})") from None
    if parts.scheme not in schemes:
        wanted = " or ".join(f"{s}://" for s in schemes)
        raise SettingsError(f"invalid URL in env var {name!r}: {_masked(value)!r} (expected {wanted}...)")
    if parts.scheme in ("redis", "rediss") and parts.path.strip("/") and not parts.path.strip("/").isdigit():
        raise SettingsError(
            f"invalid URL in env var {name!r}: {_masked(value)!r} (the path is the Redis db number, e.g. /0)"
        )
    return value


def _masked(url: str) -> str:
    """`mask_url`, even for a URL too broken to parse (then everything between :// and @ is hidden)."""
    try:
        return mask_url(url)
    except ValueError:
        scheme, sep, rest = url.partition("://")
        return f"{scheme}{sep}***@{rest.rsplit('@', 1)[1]}" if "@" in rest else url


def _integer(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"invalid integer value for env var {name!r}: {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"env var {name!r} must be at least {minimum}, got {value}")
    return value


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
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


def _whole(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    """The env var `name` as digits only, at least `minimum` (`default` when unset or blank)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SettingsError(f"env var {name!r} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def _slots(env: Mapping[str, str], name: str) -> int | None:
    """The env var `name` as an integer in 1..MAX_SLOTS, None when unset or blank."""
    if not env.get(name, "").strip():
        return None
    value = _integer(env, name, 1, minimum=1)
    if value > MAX_SLOTS:
        raise SettingsError(f"env var {name!r} must be between 1 and {MAX_SLOTS}, got {value}")
    return value


def _directory(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SettingsError(f"env var {name!r} names {raw!r}, which is not a directory")
    return path
