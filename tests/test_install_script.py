"""The image's Python install, run here: `ops/install.sh python VENV grader` (ops/Dockerfile's step)
builds a plain, non-editable install. Unlike the editable one CI develops in, it contains only
what the wheel packs, so this checks that every data file the code reads at run time (sweeps,
migrations, prompts, the v2 harness's Go sources, references) ships, and that the Go toolchain
comes with the `grader` extra."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.compose_files import REPO

PACKAGES = ("scheduler", "worker", "exams")


def package_files(root: Path) -> set[str]:
    """Every file of our packages below `root`, relative to it, bytecode caches left out."""
    return {
        str(path.relative_to(root))
        for package in PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("image") / "venv"
    done = subprocess.run(["sh", str(REPO / "ops" / "install.sh"), "python", str(venv), "grader"],
                          check=False, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv


def in_venv(venv: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command of the venv from outside the checkout, so nothing imports from the repo."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    return subprocess.run(list(argv), check=False, capture_output=True, text=True, timeout=120,
                          cwd=venv, env=env)


@pytest.mark.slow
def test_the_images_install_ships_every_file_of_the_packages(image_venv: Path) -> None:
    found = in_venv(image_venv, "python", "-c", "import scheduler, pathlib; print(pathlib.Path(scheduler.__file__).parent.parent)")
    site_packages = Path(found.stdout.strip())
    assert site_packages != REPO and "site-packages" in site_packages.parts, found.stderr
    missing = package_files(REPO) - package_files(site_packages)
    assert missing == set(), f"not in the wheel: {sorted(missing)[:20]}"


@pytest.mark.slow
def test_the_images_install_runs_the_cli_and_finds_go(image_venv: Path) -> None:
    sweeps = in_venv(image_venv, "scheduler", "sweeps", "--json")
    assert sweeps.returncode == 0, sweeps.stderr
    jobs = {entry["name"]: entry["jobs"] for entry in json.loads(sweeps.stdout)}
    assert jobs["quant-gemma4"] == 18
    for argv in (("worker", "cpu", "--help"), ("worker", "gpu", "--help"), ("worker", "flower", "--help")):
        assert in_venv(image_venv, *argv).returncode == 0, argv
    go = in_venv(image_venv, "python", "-c", "from exams.golang import find_go; print(find_go().go)")
    assert go.returncode == 0 and str(image_venv) in go.stdout, go.stdout + go.stderr
    version = in_venv(image_venv, go.stdout.strip(), "version")
    assert version.returncode == 0 and version.stdout.startswith("go version go1."), version.stdout
