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

from tests.support.compose_files import REPO

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
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "python", str(venv), "grader"],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv


def in_venv(venv: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a command of the venv from outside the checkout, so nothing imports from the repo."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    return subprocess.run(
        list(argv), check=False, capture_output=True, text=True, timeout=120, cwd=venv, env=env
    )


@pytest.mark.slow
def test_the_images_install_ships_every_file_of_the_packages(image_venv: Path) -> None:
    found = in_venv(
        image_venv,
        "python",
        "-c",
        "import scheduler, pathlib; print(pathlib.Path(scheduler.__file__).parent.parent)",
    )
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


FAKE_PIP = """#!/bin/sh
# A fake of `python -m pip install ...`: records the build jobs it was given, prints a build line
# the way llama.cpp's cmake does, takes FAKE_PIP_S seconds, exits with FAKE_PIP_STATUS.
case "$*" in *--upgrade*) exit 0 ;; esac
echo "$LLAMA_CPP_BUILD_JOBS" > "$(dirname "$0")/build-jobs"
echo "Collecting quantsweep"
echo "  [ 42%] Building CXX object src/CMakeFiles/llama.dir/llama-model.cpp.o"
sleep "$FAKE_PIP_S"
[ "$FAKE_PIP_STATUS" = 0 ] || { echo "error: the compiler was killed"; exit "$FAKE_PIP_STATUS"; }
echo "Successfully installed quantsweep-0.1.0"
"""


def install_with_fake_pip(
    tmp_path: Path, seconds: int, status: int = 0, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run `ops/install.sh python VENV local` over a venv whose python is FAKE_PIP."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(FAKE_PIP)
    (venv / "bin" / "python").chmod(0o755)
    environ = {key: value for key, value in os.environ.items() if key != "LLAMA_CPP_BUILD_JOBS"}
    environ.update(INSTALL_PROGRESS_S="1", FAKE_PIP_S=str(seconds), FAKE_PIP_STATUS=str(status), **env)
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "python", str(venv), "local"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
    )
    return done, venv


def test_the_install_prints_progress_while_pip_works_and_bounds_the_build_by_the_cores(
    tmp_path: Path,
) -> None:
    done, venv = install_with_fake_pip(tmp_path, seconds=4)
    assert done.returncode == 0, done.stderr
    progress = [line for line in done.stdout.splitlines() if line.startswith("install: ")]
    assert progress and all(
        line.endswith(
            "elapsed, building llama.cpp: [ 42%] Building CXX object src/CMakeFiles/llama.dir/"
            "llama-model.cpp.o"
        )
        for line in progress
    ), done.stdout
    assert "Successfully installed quantsweep-0.1.0" in done.stdout
    jobs = int((venv / "bin" / "build-jobs").read_text())
    assert 1 <= jobs <= (os.cpu_count() or 1)
    assert f"built from source with {jobs} parallel jobs" in done.stdout


def test_the_install_keeps_the_operators_build_jobs(tmp_path: Path) -> None:
    done, venv = install_with_fake_pip(tmp_path, seconds=0, LLAMA_CPP_BUILD_JOBS="7")
    assert done.returncode == 0, done.stderr
    assert (venv / "bin" / "build-jobs").read_text().strip() == "7"


def test_a_failed_install_shows_the_end_of_pips_output_and_exits_non_zero(tmp_path: Path) -> None:
    done, venv = install_with_fake_pip(tmp_path, seconds=0, status=3)
    assert done.returncode != 0
    assert "error: the compiler was killed" in done.stderr
    assert "failed (exit 3)" in done.stderr and str(venv / "install.log") in done.stderr
