"""What a sandboxed process may use, what came back from it, and whose fault its ending was.

Whose fault (`RunResult.grader_fault`, `RunResult.build_fault`): a process that a grader
starts ends either by itself (the program's doing, scored) or by something of ours (never
scored: the exam reports verdict grader_error with the cause):

- a build is ours end to end: a build killed by our time limit, our output cap, any signal,
  or a sandbox that could not be set up says nothing about the program;
- a run of the program is the program's, except when the sandbox could not be set up, when
  it was SIGKILLed before its CPU-time limit (the kernel's out-of-memory killer: RLIMIT_CPU
  is the only SIGKILL of ours, and a program that burns its CPU limit is its own), or when it
  was killed at a wall-clock limit that was not generous: shorter than
  `MODEL_TIMEOUT_MIN_S`, or on a machine so busy that the program did not get its limit's
  worth of time off the CPU run queue. A run's wall-clock limit is extended by the time its
  threads waited for a CPU (Linux schedstat `run_delay`, the longest-waiting thread), up to
  `Limits.starved_extension` times the limit; a run still starved at that point is ours.
  Except when its own threads had run `Limits.cpu_charge_s` CPU seconds by then (schedstat
  `sum_exec_runtime`): a loop that got that much CPU is the program's however busy the machine.
  A program that loops or sleeps forever on a quiet grader is the program's failure.
"""

from __future__ import annotations

import signal as signals
from dataclasses import dataclass, replace
from pathlib import Path

MIB = 1024 * 1024
MODEL_TIMEOUT_MIN_S = 2.0  # a run killed at a shorter wall-clock limit is never charged to the program
STARVED_TOLERANCE = (
    0.1  # share of its limit a killed run may have lost to CPU waits and still be the program's
)


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
    starved_extension: float = 0.0  # wall_s is extended by CPU-wait time, up to this many times wall_s
    # Past max_output_bytes: kill the process (True), or keep reading and drop the rest (False: the
    # verdict does not come from the output, so a flood costs the answer only its own time limit).
    kill_past_output_cap: bool = True
    # A run killed at wall_s whose threads ran this many CPU seconds is the program's failure however
    # long it waited for a CPU (None: only the run-queue rule below decides).
    cpu_charge_s: float | None = None

    def with_(self, **changes: object) -> Limits:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


RUN_LIMITS = Limits(starved_extension=2.0)
BUILD_LIMITS = Limits(wall_s=120.0, cpu_s=240, memory_bytes=None, max_output_bytes=256 * 1024, processes=4096)


@dataclass
class RunResult:
    """The outcome of one sandboxed process."""

    exit_code: int | None  # None when it was killed (timeout, output cap) or died by a signal
    stdout: bytes
    stderr: bytes
    duration_s: float
    timed_out: bool = False  # killed at Limits.wall_s
    output_capped: bool = False  # wrote more than Limits.max_output_bytes: killed, or the rest dropped
    signal: int | None = None  # the signal that ended it, if any
    isolated: bool = True  # ran inside the network/pid/mount namespaces
    wall_limit_s: float = 0.0  # the wall-clock limit it ran under
    cpu_limit_s: int = 0  # the CPU-time limit it ran under (RLIMIT_CPU: SIGKILL one second past it)
    cpu_s: float | None = None  # CPU seconds it and the processes it waited for used (None: unknown)
    cpu_wait_s: float | None = (
        None  # when killed at the limit: seconds its longest-waiting thread waited for a CPU
    )
    cpu_run_s: float | None = None  # when killed at the limit: CPU seconds its live threads had run
    cpu_charge_s: float | None = None  # Limits.cpu_charge_s it ran under
    sandbox_error: str | None = None  # the jail could not be set up: the command never ran

    @property
    def ok(self) -> bool:
        """Exited 0 on its own, within its limits (a run killed at the output cap has no exit code;
        one whose output past the cap was dropped has its own)."""
        return self.exit_code == 0 and not self.timed_out

    def describe(self) -> str:
        """A short human reason for how it ended."""
        if self.timed_out:
            return f"killed after the {self.duration_s:.1f}s wall-clock limit"
        if self.output_capped and self.exit_code is None and self.signal is None:
            return "killed: output over the cap"
        if self.cpu_limit_exceeded:
            return f"killed at its {self.cpu_limit_s} s CPU-time limit"
        if self.signal is not None:
            return f"killed by signal {self.signal}"
        return f"exit code {self.exit_code}"

    @property
    def cpu_limit_exceeded(self) -> bool:
        """Killed by RLIMIT_CPU: a SIGKILL after using at least its CPU-time limit."""
        return self.signal == signals.SIGKILL and self.cpu_s is not None and self.cpu_s >= self.cpu_limit_s

    def grader_fault(self) -> str | None:
        """Why a run of an untrusted program ended by our doing (None: it ended by its own)."""
        if self.sandbox_error is not None:
            return f"sandbox failure: {self.sandbox_error}"
        if self.timed_out and self.wall_limit_s < MODEL_TIMEOUT_MIN_S:
            return (
                f"killed by our {self.wall_limit_s:g} s time limit, shorter than the "
                f"{MODEL_TIMEOUT_MIN_S:g} s a run gets before a timeout counts against the program"
            )
        ran_s = self.duration_s - (self.cpu_wait_s or 0.0)
        burnt = self.cpu_charge_s is not None and (self.cpu_run_s or 0.0) >= self.cpu_charge_s
        if self.timed_out and not burnt and ran_s < (1 - STARVED_TOLERANCE) * self.wall_limit_s:
            return (
                f"killed after {self.duration_s:.1f} s, {self.cpu_wait_s or 0:.1f} s of them waiting for a CPU, "
                f"before it had our {self.wall_limit_s:g} s time limit off the run queue: the grading machine was overloaded"
            )
        if self.signal == signals.SIGKILL and not self.cpu_limit_exceeded:
            return (
                f"killed by SIGKILL after {self.cpu_s or 0:.1f} s of CPU, short of its {self.cpu_limit_s} s "
                "limit: not a limit of ours it reached (the kernel's out-of-memory killer, most likely)"
            )
        return None

    def build_fault(self) -> str | None:
        """Why a build ended by our doing: any ending but an exit of its own (None: it exited)."""
        if self.sandbox_error is not None:
            return f"sandbox failure: {self.sandbox_error}"
        if self.timed_out:
            return f"go build killed by our {self.wall_limit_s:g} s time limit"
        if self.output_capped:
            return "go build killed: its output passed our cap"
        if self.signal is not None:
            return f"go build killed by signal {_signal_name(self.signal)}"
        return None


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return str(number)


@dataclass
class ProgramBuild:
    """The outcome of building one program alone: its binary, or why there is none."""

    binary: Path | None
    log: str  # what go build printed
    reason: str = ""  # when it failed: the first line that says why (the program's own error)
    fault: str | None = None  # when the failure is ours, not the program's: the cause (see grader_fault)


@dataclass
class BuildResult:
    """The outcome of building several programs, each alone: per program, and the whole."""

    programs: dict[str, ProgramBuild]
    duration_s: float

    @property
    def binaries(self) -> dict[str, Path]:
        """The binary of each program that built."""
        return {name: b.binary for name, b in self.programs.items() if b.binary is not None}

    @property
    def ok(self) -> bool:
        """Every program built."""
        return all(b.binary is not None for b in self.programs.values())

    @property
    def faults(self) -> dict[str, str]:
        """The programs whose build failed by our doing, with the cause."""
        return {name: b.fault for name, b in self.programs.items() if b.fault is not None}

    @property
    def log(self) -> str:
        """Every program's build log, each under a `# <program>` header."""
        return "".join(f"# {name}\n{b.log}" for name, b in self.programs.items() if b.log)
