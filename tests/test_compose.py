"""The deployment files: compose.yaml is valid Compose, runs commands that exist, and agrees with
the settings, the catalog and the llama-swap config."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from scheduler.catalog import load_catalog
from scheduler.settings import PACKAGED_SWEEPS_DIR

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO.parent / "shared" / "reference" / "compose-spec.json"


def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    if not SCHEMA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SCHEMA} is missing")
        pytest.skip(f"{SCHEMA} is missing")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []


def test_the_compose_check_rejects_a_misspelt_key() -> None:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is missing")
    broken = compose()
    broken["services"]["redis"]["helthcheck"] = broken["services"]["redis"].pop("healthcheck")
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    assert any("helthcheck" in e.message for e in validator.iter_errors(broken))


def test_every_quantsweep_service_runs_a_command_that_exists() -> None:
    from scheduler.cli import cli as scheduler_cli
    from worker.cli import main as worker_cli

    clis = {"scheduler": scheduler_cli, "worker": worker_cli}
    services = compose()["services"]
    checked = 0
    for name, service in services.items():
        if service.get("image") != "quantsweep:latest":
            continue
        argv = list(service.get("entrypoint", [])) + list(service.get("command", []))
        program, args = argv[0], argv[1:]
        words = []
        for arg in args:
            if arg.startswith("-"):
                break
            words.append(arg)
        result = CliRunner().invoke(clis[program], [*words, "--help"])
        assert result.exit_code == 0, f"service {name}: `{program} {' '.join(words)}` fails: {result.output}"
        checked += 1
    assert checked >= 5


def test_compose_sets_only_variables_the_settings_read() -> None:
    settings_source = (REPO / "scheduler" / "settings.py").read_text()
    for name, service in compose()["services"].items():
        if service.get("image") != "quantsweep:latest":
            continue
        for variable in service.get("environment", {}):
            if variable.startswith("FLOWER_"):
                continue
            assert f'"{variable}"' in settings_source, f"service {name} sets {variable}, which nothing reads"


def test_llama_swap_config_serves_models_by_their_catalog_ids() -> None:
    config = yaml.safe_load((REPO / "ops" / "llama-swap" / "config.yaml").read_text())
    catalog = load_catalog(PACKAGED_SWEEPS_DIR)
    served = set(config["models"])
    article = {m for m, entry in catalog.items() if entry.family != "gemma3-270m"}
    assert article <= served
    assert served <= set(catalog)
