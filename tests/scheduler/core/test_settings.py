"""Settings: read once from the environment, bad values named, passwords never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.core.errors import SettingsError
from scheduler.core.settings import Settings


def test_defaults_follow_the_design_contract() -> None:
    settings = Settings.from_env({"WORKER_HOST": "gpu1"})
    assert settings.redis_url == "redis://localhost:6379/0"
    assert settings.database_url == "postgresql:///quantsweep"
    assert settings.llama_swap_url == "http://127.0.0.1:8080"
    assert settings.worker_host == "gpu1"


def test_worker_host_defaults_to_the_hostname() -> None:
    import socket

    assert Settings.from_env({}).worker_host == socket.gethostname()


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("LLAMA_SWAP_URL", "localhost:8080", "LLAMA_SWAP_URL"),
        ("DB_POOL_MAX_SIZE", "abc", "invalid integer value for env var 'DB_POOL_MAX_SIZE': 'abc'"),
        ("VISIBILITY_TIMEOUT_S", "3", "VISIBILITY_TIMEOUT_S"),
        ("SWEEPS_DIR", "/no/such/dir", "SWEEPS_DIR"),
    ],
)
def test_a_bad_value_fails_with_the_variable_name(name: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env({name: value})


def test_passwords_are_masked_in_repr_and_errors() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://bob:hunter2@db/quantsweep"})
    assert "hunter2" not in repr(settings)
    assert "bob:***@db" in repr(settings)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"REDIS_URL": "http://bob:hunter2@redis:6379"})
    assert "hunter2" not in str(caught.value)


def test_the_dispatch_knobs_are_read_with_the_rest() -> None:
    settings = Settings.from_env({"DISPATCH": "shared", "DISPATCH_POLL_S": "0.5", "GPU_TOKENS_PER_S": "42"})
    assert settings.dispatch.mode == "shared"
    assert settings.dispatch.poll_s == 0.5
    assert settings.dispatch.decode_tps == 42.0
    assert Settings.from_env({}).dispatch.mode == "affinity"


def test_the_slots_the_speed_probe_and_the_hash_cache_are_read_with_the_rest(tmp_path: Path) -> None:
    env = {"GPU_SLOTS": "4", "SPEED_PROBE_TOKENS": "0", "SPEED_PROBE_REPEATS": "5",
           "SPEED_PROBE_BUSY_S": "60", "QUANTSWEEP_CACHE": str(tmp_path)}  # fmt: skip
    settings = Settings.from_env(env)
    assert settings.dispatch.slots == 4
    probe = settings.speed_probe
    assert (probe.tokens, probe.repeats, probe.busy_s) == (0, 5, 60.0)
    assert settings.cache_dir == tmp_path
    defaults = Settings.from_env({})
    assert defaults.dispatch.slots is None and defaults.speed_probe.tokens == 128


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [("DISPATCH", "fastest", "one of affinity, all, shared"), ("DISPATCH_POLL_S", "0", "above 0"),
     ("DISPATCH_BOUNCE_PAUSE_S", "soon", "invalid number"), ("GPU_SLOTS", "257", "between 1 and 256"),
     ("SPEED_PROBE_REPEATS", "0", "at least 1"), ("SPEED_PROBE_TOKENS", "-1", "whole number")],
)  # fmt: skip
def test_a_bad_dispatch_knob_fails_naming_it(name: str, value: str, fragment: str) -> None:
    with pytest.raises(SettingsError, match=name) as err:
        Settings.from_env({name: value})
    assert fragment in str(err.value)


def test_the_flower_password_is_never_shown() -> None:
    settings = Settings.from_env({"FLOWER_BASIC_AUTH": "admin:s3cret"})
    assert settings.flower_basic_auth == "admin:s3cret"
    assert "s3cret" not in repr(settings)
