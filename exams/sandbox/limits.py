"""What a sandboxed process may use, and what came back from it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed process (all enforced by the kernel or by the runner)."""

    wall_s: float = 10.0  # wall clock; the whole namespace is SIGKILLed past it
    cpu_s: int = 10  # RLIMIT_CPU of the untrusted process (per process)
    # RLIMIT_AS. Go reserves ~600 MiB of address space at start (below ~768 MiB it cannot start);
    # None for -race binaries, whose TSAN shadow maps terabytes (exam v2's harness caps their
    # resident memory instead).
    memory_bytes: int | None = 2048 * MIB
    max_output_bytes: int = 1 * MIB  # stdout and stderr kept, each; past it the process is killed
    file_size_bytes: int = 64 * MIB  # RLIMIT_FSIZE: largest file it may write
    open_files: int = 256  # RLIMIT_NOFILE
    processes: int = 128  # RLIMIT_NPROC for its own uid (threads count too)
    tmpfs_bytes: int = 64 * MIB  # size of the private /tmp, /var/tmp, /dev/shm it sees

    def with_(self, **changes: object) -> Limits:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


RUN_LIMITS = Limits()
BUILD_LIMITS = Limits(wall_s=120.0, cpu_s=240, memory_bytes=None, max_output_bytes=256 * 1024, processes=4096)


@dataclass
class RunResult:
    """The outcome of one sandboxed process."""

    exit_code: int | None  # None when it was killed (timeout, output cap) or died by a signal
    stdout: bytes
    stderr: bytes
    duration_s: float
    timed_out: bool = False  # killed at Limits.wall_s
    output_capped: bool = False  # wrote more than Limits.max_output_bytes; killed
    signal: int | None = None  # the signal that ended it, if any
    isolated: bool = True  # ran inside the network/pid/mount namespaces

    @property
    def ok(self) -> bool:
        """Exited 0 on its own, within its limits."""
        return self.exit_code == 0 and not self.timed_out and not self.output_capped

    def describe(self) -> str:
        """A short human reason for how it ended."""
        if self.timed_out:
            return f"killed after the {self.duration_s:.1f}s wall-clock limit"
        if self.output_capped:
            return "killed: output over the cap"
        if self.signal is not None:
            return f"killed by signal {self.signal}"
        return f"exit code {self.exit_code}"


@dataclass
class BuildResult:
    """The outcome of one `go build`: binaries by program name, and the build log."""

    ok: bool
    binaries: dict[str, Path]
    log: str
    duration_s: float
    timed_out: bool = False
