"""Reading compose files the way `docker compose config` does, for the deployment tests (no Docker
engine or Compose plugin here): YAML with Compose's `!reset` tag, variable interpolation from an
env file (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$$`),
and the merge of override files (mappings merge, `!reset` removes, anything else replaces)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import REPO_ROOT as REPO


class Reset:
    """Compose's `!reset`: drop the attribute from what the files before defined."""


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!reset", lambda loader, node: Reset())

_VARIABLE = re.compile(
    r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


class InterpolationError(Exception):
    """A required variable is unset or empty; the message is Compose's `:?` text."""


def load(path: Path) -> Any:
    return yaml.load(path.read_text(), Loader=_Loader)


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file, comments and blank lines skipped."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        escaped, name, operator, argument, bare = match.groups()
        if escaped:
            return "$"
        name = name or bare
        current = env.get(name)
        if operator in (":-", "-"):
            missing = current is None or (operator == ":-" and current == "")
            return argument if missing else str(current)
        unset = current is None or (operator == ":?" and current == "")
        if operator in (":?", "?") and unset:
            raise InterpolationError(f"required variable {name} is missing a value: {argument}")
        return current or ""

    return _VARIABLE.sub(substitute, value)


def merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if isinstance(value, Reset):
                merged.pop(key, None)
            else:
                merged[key] = merge(base.get(key), value)
        return merged
    return override


def effective(env: Mapping[str, str], *overrides: Path) -> dict[str, Any]:
    """compose.yaml (plus overrides) as Compose would run it with `env`; extension keys dropped."""
    config: dict[str, Any] = load(REPO / "compose.yaml")
    for path in overrides:
        config = merge(config, load(path))
    config = {key: value for key, value in config.items() if not key.startswith("x-")}
    result: dict[str, Any] = interpolate(config, env)
    return result


def example_env(**changes: str) -> dict[str, str]:
    """ops/env.example with its passwords filled in, as an operator would."""
    env = read_env_file(REPO / "ops" / "env.example")
    env.update(REDIS_PASSWORD="r3dis-pass", POSTGRES_PASSWORD="pg-pass", FLOWER_BASIC_AUTH="admin:fl0wer")
    env.update(changes)
    return env
