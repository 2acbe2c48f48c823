"""ops/llama-swap/config.yaml against what llama-swap and llama-server actually read.

No llama-swap runs here, so the config is checked the way llama-swap loads it: the keys it knows
(its config structs, `internal/config/{config,model_config,filters}.go`; it ignores unknown keys
silently, which is why a misspelling must fail here), `${env.X}` substitution, then global and
model macros substituted last-defined first, then `${PORT}`, and any macro left over is an error.
The expanded commands are then checked against the real `llama-server --help` of the build the
tests use, and against the catalog and the sweeps (served models, context, thinking, draft)."""

from __future__ import annotations

import functools
import os
import re
import shlex
import subprocess
from typing import Any

import pytest
import yaml

from scheduler.core.settings import PACKAGED_SWEEPS_DIR
from scheduler.sweeps.catalog import load_catalog, load_sweep, sweep_names
from scheduler.sweeps.exam_index import known_exams
from tests.support.compose_files import REPO, effective, example_env

CONFIG = REPO / "ops" / "llama-swap" / "config.yaml"

CONFIG_FIELDS = {
    "healthCheckTimeout",
    "logRequests",
    "logLevel",
    "logTimeFormat",
    "logToStdout",
    "metricsMaxInMemory",
    "captureBuffer",
    "store",
    "ui",
    "performance",
    "globalTTL",
    "unloadTimeout",
    "models",
    "profiles",
    "routing",
    "groups",
    "matrix",
    "macros",
    "startPort",
    "hooks",
    "sendLoadingState",
    "includeAliasesInList",
    "apiKeys",
    "peers",
    "upstream",
}
MODEL_FIELDS = {
    "cmd",
    "cmdStop",
    "proxy",
    "aliases",
    "env",
    "checkEndpoint",
    "ttl",
    "unlisted",
    "useModelName",
    "name",
    "description",
    "concurrencyLimit",
    "filters",
    "macros",
    "metadata",
    "sendLoadingState",
    "timeouts",
    "capabilities",
}
FILTER_FIELDS = {"stripParams", "strip_params", "setParams", "setParamsByID", "setParamsByMatch"}
MACRO_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,63}$")
MACRO = re.compile(r"\$\{([a-zA-Z0-9_-]+)\}")
ENV_MACRO = re.compile(r"\$\{env\.([a-zA-Z_][a-zA-Z0-9_]*)\}")


class ConfigError(Exception):
    pass


def expand(text: str, env: dict[str, str]) -> dict[str, Any]:
    """The config as llama-swap loads it: {model id: {"argv": [...], **model fields}}."""
    for name in ENV_MACRO.findall(text):
        if name not in env:
            raise ConfigError(f"environment variable '{name}' is not set")
        text = text.replace(f"${{env.{name}}}", env[name])
    config = yaml.safe_load(text)
    if unknown := set(config) - CONFIG_FIELDS:
        raise ConfigError(f"llama-swap ignores unknown top-level keys {sorted(unknown)}")
    global_macros = list((config.get("macros") or {}).items())
    models = {}
    for port, (model_id, model) in enumerate(
        sorted(config["models"].items()), start=config.get("startPort", 5800)
    ):
        if unknown := set(model) - MODEL_FIELDS:
            raise ConfigError(f"model {model_id}: llama-swap ignores unknown keys {sorted(unknown)}")
        if unknown := set(model.get("filters") or {}) - FILTER_FIELDS:
            raise ConfigError(f"model {model_id}: llama-swap ignores unknown filters {sorted(unknown)}")
        macros = [("MODEL_ID", model_id), *global_macros]
        for name, value in (model.get("macros") or {}).items():
            macros = [(n, value if n == name else v) for n, v in macros]
            if name not in dict(macros):
                macros.append((name, value))
        for name, value in macros[1:]:
            if not MACRO_NAME.match(name) or name in ("PORT", "MODEL_ID"):
                raise ConfigError(f"invalid macro name '{name}'")
            if f"${{{name}}}" in str(value):
                raise ConfigError(f"macro '{name}' contains self-reference")
        cmd = model["cmd"]
        for name, value in reversed(macros):
            cmd = cmd.replace(f"${{{name}}}", str(value))
        cmd = cmd.replace("${PORT}", str(port))
        if left := MACRO.findall(cmd):
            raise ConfigError(f"unknown macro '${{{left[0]}}}' found in {model_id}.cmd")
        models[model_id] = {**model, "argv": shlex.split(cmd)}
    return {"config": config, "models": models}


def llama_swap_environment() -> dict[str, str]:
    environment = effective(example_env())["services"]["llama-swap"]["environment"]
    return {key: str(value) for key, value in environment.items()}


@functools.cache
def loaded() -> dict[str, Any]:
    return expand(CONFIG.read_text(), llama_swap_environment())


def option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg in names and i + 1 < len(argv):
            return argv[i + 1]
    return None


def help_flags(text: str) -> set[str]:
    """The flags `llama-server --help` offers. Entries start at column 0 ("-c,    --ctx-size N
    description"), continuation lines are indented; a flag whose description says it "has been
    removed" only prints an error now, so it does not count."""
    entries: list[str] = []
    for line in text.splitlines():
        if line.startswith("-"):
            entries.append(line)
        elif entries and line.startswith(" "):
            entries[-1] += "  " + line.strip()
    flags = set()
    for entry in entries:
        names, *rest = re.split(r"\s{2,}(?=[^-\s])", entry, maxsplit=1)
        description = rest[0] if rest else ""
        if "has been removed" not in description:
            flags |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", names))
    return flags


@functools.cache
def server_flags() -> set[str]:
    from ops.local_processes import Missing, llama_server_binary

    try:
        binary = llama_server_binary()
    except Missing as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    done = subprocess.run([str(binary), "--help"], check=False, capture_output=True, text=True, timeout=60)
    return help_flags(done.stdout + done.stderr)


def test_help_parsing_keeps_aliases_and_drops_removed_flags() -> None:
    sample = """-c,    --ctx-size N                     size of the prompt context (default: 0, 0 = loaded from model)
                                        (env: LLAMA_ARG_CTX_SIZE)
--spec-draft-model, -md, --model-draft FNAME
                                        draft model for speculative decoding (default: unused)
--draft, --draft-n, --draft-max N       the argument has been removed. use --spec-draft-n-max or
                                        --spec-ngram-mod-n-max
"""
    assert help_flags(sample) == {"-c", "--ctx-size", "--spec-draft-model", "-md", "--model-draft"}


def test_config_loads_as_llama_swap_loads_it() -> None:
    models = loaded()["models"]
    assert models, "no models"
    ports = []
    for model_id, model in models.items():
        assert model["argv"][0] == "llama-server", model_id
        assert option(model["argv"], "--host") == "127.0.0.1", f"{model_id}: only llama-swap talks to it"
        ports.append(int(option(model["argv"], "--port") or 0))
    assert len(set(ports)) == len(ports) and min(ports) == loaded()["config"]["startPort"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda t: t.replace("healthCheckTimeout:", "healthcheckTimeout:"), "unknown top-level keys"),
        (
            lambda t: t.replace("    filters:\n      setParams:", "    filters:\n      setParam:", 1),
            "unknown filters",
        ),
        (lambda t: t.replace("  gpt-oss-20b:\n    cmd:", "  gpt-oss-20b:\n    command:"), "unknown keys"),
        (lambda t: t.replace("${models}/gpt-oss", "${model}/gpt-oss"), "unknown macro '${model}'"),
        (lambda t: t.replace("${env.MODELS_DIR}", "${env.MODEL_DIR}"), "'MODEL_DIR' is not set"),
    ],
    ids=["top-level key", "filter", "model key", "macro", "env macro"],
)
def test_the_check_catches_what_llama_swap_would_ignore_or_reject(change: Any, error: str) -> None:
    broken = change(CONFIG.read_text())
    assert broken != CONFIG.read_text()
    with pytest.raises(ConfigError, match=re.escape(error)):
        expand(broken, llama_swap_environment())


def test_every_server_flag_exists_in_llama_server() -> None:
    flags = server_flags()
    assert "--ctx-size" in flags and "--model" in flags, "could not read llama-server --help"
    for model_id, model in loaded()["models"].items():
        for arg in model["argv"][1:]:
            if arg.startswith("--"):
                assert arg in flags, f"{model_id}: llama-server has no {arg}"


def test_every_catalog_model_is_served_under_its_id() -> None:
    catalog = load_catalog(PACKAGED_SWEEPS_DIR)
    assert set(loaded()["models"]) == set(catalog)


def test_benchmark_settings_hold_for_every_model() -> None:
    catalog = load_catalog(PACKAGED_SWEEPS_DIR)
    sweeps = [
        load_sweep(PACKAGED_SWEEPS_DIR, name, catalog, known_exams())
        for name in sweep_names(PACKAGED_SWEEPS_DIR)
    ]
    config, models = loaded()["config"], loaded()["models"]
    assert config["sendLoadingState"] is False
    # A cold load of the largest GGUF from a slow disk (100 MB/s) must fit the health-check timeout.
    largest_gb = max(m.size_gb or 0 for m in catalog.values())
    assert config["healthCheckTimeout"] >= largest_gb * 10, f"{largest_gb} GB cannot load in time"
    for model_id, model in models.items():
        argv, entry = model["argv"], catalog[model_id]
        assert option(argv, "--parallel", "-np") == "1", f"{model_id}: one slot, so a seed reproduces"
        context = int(option(argv, "--ctx-size", "-c") or 0)
        for sweep in sweeps:
            if model_id in sweep.models:
                assert context >= sweep.generation.context, f"{model_id}: ctx {context} < {sweep.name}'s"
        assert (option(argv, "--model", "-m") or "").startswith("/models/"), model_id
        thinking_off = entry.options.get("reasoning") is False
        assert (option(argv, "--reasoning", "-rea") == "off") == thinking_off, model_id
        set_params = (model.get("filters") or {}).get("setParams") or {}
        if thinking_off:
            assert set_params == {"chat_template_kwargs": {"enable_thinking": False}}, model_id
        if entry.options.get("draft_model"):
            assert option(argv, "--model-draft", "-md"), (
                f"{model_id}: the catalog says it decodes with a draft"
            )


def test_compose_mounts_the_config_and_the_models_where_it_expects_them() -> None:
    llama_swap = effective(example_env(MODELS_DIR="/srv/gguf"))["services"]["llama-swap"]
    assert "./ops/llama-swap/config.yaml:/app/config.yaml:ro" in llama_swap["volumes"]
    mine = effective(example_env(LLAMA_SWAP_CONFIG="./gpu1.yaml"))["services"]["llama-swap"]
    assert "./gpu1.yaml:/app/config.yaml:ro" in mine["volumes"]
    assert "/srv/gguf:/models:ro" in llama_swap["volumes"]
    assert llama_swap["environment"]["MODELS_DIR"] == "/models"
