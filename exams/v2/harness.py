"""The trusted Go harness of exam v2: built once per source version, run inside the sandbox.

    harness_binary() -> Path            builds exams/v2/harness/ into a cache dir on first use
    parse_report(stdout) -> Report      the harness's JSON verdicts, or HarnessFailure

The harness (Go, ours) starts a mock inverter and a mock sink per test on
loopback and drives the untrusted scraper binary through the untrusted prefix
the sandbox hands it (see README.md). Any failure of the harness itself raises
`HarnessFailure`, which the exam turns into verdict grader_error.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from exams.golang import find_go, gocache_dir

SOURCE_DIR = Path(__file__).parent / "harness"
BUILD_TIMEOUT_S = 300.0
TEST_NAMES = (
    "OnlineFlow",
    "BuffersDuringOutage",
    "FlushOnReconnect",
    "BufferBounded",
    "EvictionRandom",
    "MultipleOutageCycles",
    "BufferSizeZero",
    "BufferSizeOne",
    "GracefulShutdown",
    "RaceDetector",
)

_build_lock = threading.Lock()


class HarnessFailure(RuntimeError):
    """The harness could not judge the program (it crashed, timed out, or printed nonsense)."""


@dataclass(frozen=True)
class TestVerdict:
    """One harness test's verdict on the program."""

    name: str
    passed: bool
    detail: str
    duration_s: float


@dataclass(frozen=True)
class Report:
    """Everything the harness printed: per-test verdicts and the flags it drove."""

    tests: tuple[TestVerdict, ...]
    cli: dict[str, object]
    duration_s: float


def source_hash() -> str:
    """A short hash of the harness sources; the cached binary is keyed by it."""
    digest = hashlib.sha256()
    for path in sorted(SOURCE_DIR.iterdir()):
        if path.suffix == ".go" or path.name == "go.mod":
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def harness_binary() -> Path:
    """The harness binary for the current sources, built (once) into the shared cache dir."""
    target_dir = gocache_dir().parent / "v2harness" / source_hash()
    target = target_dir / "v2harness"
    if target.is_file():
        return target
    with _build_lock:
        if target.is_file():
            return target
        toolchain = find_go()
        target_dir.mkdir(parents=True, exist_ok=True)
        partial = target_dir / f"v2harness.{os.getpid()}.tmp"
        env = {
            "PATH": f"{toolchain.goroot / 'bin'}:/usr/bin:/bin",
            "HOME": str(target_dir),
            "GOROOT": str(toolchain.goroot),
            "GOCACHE": str(gocache_dir()),
            "GOPATH": str(target_dir / "gopath"),
            "GOPROXY": "off",
            "GOTOOLCHAIN": "local",
            "GOFLAGS": "-mod=mod",
            "GOTELEMETRY": "off",
            "CGO_ENABLED": "0",
        }
        try:
            done = subprocess.run(
                [str(toolchain.go), "build", "-trimpath", "-o", str(partial), "."],
                cwd=SOURCE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise HarnessFailure(f"building the v2 harness took over {BUILD_TIMEOUT_S:.0f}s") from exc
        if done.returncode != 0:
            raise HarnessFailure(
                "the v2 harness does not build: " + (done.stderr or done.stdout).strip()[:500]
            )
        partial.chmod(0o755)
        partial.replace(target)
        target_dir.chmod(0o755)
    return target


def parse_report(stdout: bytes) -> Report:
    """Read the harness's JSON report; HarnessFailure when it is missing, malformed or reports an error."""
    try:
        data = json.loads(stdout.decode(errors="replace"))
    except ValueError as exc:
        raise HarnessFailure(f"the harness printed no JSON report: {stdout[:200]!r}") from exc
    if not isinstance(data, dict):
        raise HarnessFailure("the harness report is not a JSON object")
    if data.get("harness_error"):
        raise HarnessFailure("harness error: " + str(data["harness_error"]))
    raw_tests = data.get("tests") or []
    tests = tuple(
        TestVerdict(
            str(t["name"]), bool(t["passed"]), str(t.get("detail", "")), float(t.get("duration_s", 0.0))
        )
        for t in raw_tests
    )
    names = tuple(t.name for t in tests)
    if names != TEST_NAMES:
        raise HarnessFailure(f"the harness reported tests {names}, expected {TEST_NAMES}")
    cli = data.get("cli") or {}
    return Report(
        tests=tests, cli=cli if isinstance(cli, dict) else {}, duration_s=float(data.get("duration_s", 0.0))
    )
