"""Running one wrapped command: capped output capture, wall-clock deadline, group kill."""

from __future__ import annotations

import contextlib
import os
import secrets
import selectors
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

from exams.sandbox.jail import JAIL_FAILED_EXIT, JAIL_TOKEN_ENV
from exams.sandbox.limits import Limits, RunResult

READ_CHUNK_BYTES = 65536
NAMESPACE_EXIT_S = 10.0  # how long the kernel may take to tear a killed namespace down
EXTEND_MIN_S = 0.05  # a deadline extended by less than this is not extended
EXIT_GRACE_S = 0.5  # after the process exits, how long leftover holders of its pipes may keep them open


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it, found through /proc's children lists."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                pending += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
    return found


def cpu_wait_s(pid: int) -> float | None:
    """Seconds the longest-waiting thread of `pid` or its descendants spent runnable, off a CPU.

    The largest `run_delay` (field 2 of /proc/PID/task/TID/schedstat, nanoseconds) over those
    threads: a lower bound on how long the process was kept from running; None where the
    kernel keeps no schedstat.
    """
    longest_ns: int | None = None
    for process in _descendants(pid):
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{process}/task"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    delay = int(Path(f"/proc/{process}/task/{task}/schedstat").read_text().split()[1])
                    longest_ns = max(longest_ns or 0, delay)
    return None if longest_ns is None else longest_ns / 1e9


def cpu_run_s(pid: int) -> float | None:
    """CPU seconds the live threads of `pid` and its descendants have run (field 1 of
    /proc/PID/task/TID/schedstat, nanoseconds, summed); None where the kernel keeps no schedstat."""
    total_ns: int | None = None
    for process in _descendants(pid):
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{process}/task"):
                with contextlib.suppress(OSError, ValueError, IndexError):
                    ran = int(Path(f"/proc/{process}/task/{task}/schedstat").read_text().split()[0])
                    total_ns = (total_ns or 0) + ran
    return None if total_ns is None else total_ns / 1e9


def _reap(proc: subprocess.Popen[bytes], timeout_s: float | None) -> float | None:
    """Wait up to `timeout_s` (None: for ever) for `proc` to end and set its returncode.

    Returns the CPU seconds it and the descendants it waited for used (wait4's rusage; a
    jail's init waits for the command), or None while it still runs.
    """
    end = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, 0 if end is None else os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if end is not None and time.monotonic() >= end:
            return None
        time.sleep(0.01)


def _kill_namespace(proc: subprocess.Popen[bytes]) -> float | None:
    """SIGKILL the namespace's init (unshare's child): the kernel then kills every process in the
    namespace and init's exit waits for them, so once unshare returns nothing of the run is left.
    Returns what `_reap` returns."""
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(child), signal.SIGKILL)
    return _reap(proc, NAMESPACE_EXIT_S) if children else None


def _read(sel: selectors.BaseSelector, fd: int, kept: bytearray, max_bytes: int) -> bool:
    """Read what `fd` has into `kept` (up to `max_bytes` in all); True when it brought more."""
    try:
        chunk = os.read(fd, READ_CHUNK_BYTES)
    except BlockingIOError:
        return False
    if not chunk:
        sel.unregister(fd)
        return False
    room = max_bytes - len(kept)
    kept += chunk[: max(room, 0)]
    return len(chunk) > room


def _extended(proc: subprocess.Popen[bytes], deadline: float, latest: float, now: float) -> float:
    """The deadline moved on by the time the process waited for a CPU, up to `latest`; `now`
    when that moves it by less than EXTEND_MIN_S."""
    extended = min(latest, deadline + (cpu_wait_s(proc.pid) or 0.0))
    return extended if extended > now + EXTEND_MIN_S else now


def _burnt(proc: subprocess.Popen[bytes], limits: Limits) -> bool:
    """True when the run has had `limits.cpu_charge_s` of CPU: waiting longer changes nothing."""
    return limits.cpu_charge_s is not None and (cpu_run_s(proc.pid) or 0.0) >= limits.cpu_charge_s


def _end(proc: subprocess.Popen[bytes], isolated: bool) -> float | None:
    """Kill what is left of a run and reap it; what `_reap` returns."""
    cpu_used = _kill_namespace(proc) if isolated else None
    if proc.returncode is None:
        _kill_group(proc)
        cpu_used = _reap(proc, 5)
    if proc.returncode is None:
        _kill_group(proc)
        cpu_used = _reap(proc, None)
    return cpu_used


def _jail_failure(stderr: bytes, token: str) -> str | None:
    """The jail's own failure message, when the line behind this run's token is there."""
    marker = f"{token}: ".encode()
    if marker not in stderr:
        return None
    return stderr.split(marker, 1)[1].split(b"\n", 1)[0].decode(errors="replace")


def execute(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    limits: Limits,
    stdin_path: Path | None = None,
    isolated: bool = True,
) -> RunResult:
    """Run `argv` in its own process group; kill the group at the deadline or past the output cap.

    The deadline is `limits.wall_s` plus the time the process waited for a CPU, up to
    `limits.starved_extension` times `wall_s` more (see exams.sandbox.limits).
    """
    token = secrets.token_hex(8)
    if isolated:
        env = env | {JAIL_TOKEN_ENV: token}
    started = time.monotonic()
    deadline = started + limits.wall_s
    latest = deadline + limits.starved_extension * limits.wall_s
    stdin: IO[bytes] | int = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            process_group=0,
            close_fds=True,
        )
    finally:
        if not isinstance(stdin, int):
            stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    kept: dict[int, bytearray] = {out_fd: bytearray(), err_fd: bytearray()}
    timed_out = capped = False
    exited_at: float | None = None
    cpu_used: float | None = None
    with selectors.DefaultSelector() as sel:
        for pipe in (proc.stdout, proc.stderr):
            os.set_blocking(pipe.fileno(), False)
            sel.register(pipe.fileno(), selectors.EVENT_READ)
        while sel.get_map():
            now = time.monotonic()
            if exited_at is None and (cpu_used := _reap(proc, 0)) is not None:
                exited_at = now
            if now >= deadline and exited_at is None and now < latest and not _burnt(proc, limits):
                deadline = _extended(proc, started + limits.wall_s, latest, now)
            if now >= deadline:
                timed_out = exited_at is None
                break
            if exited_at is not None and now - exited_at > EXIT_GRACE_S:
                break  # a leftover child holds the pipes open; it is killed below
            for key, _ in sel.select(timeout=min(0.1, deadline - now)):
                capped = _read(sel, int(key.fd), kept[int(key.fd)], limits.max_output_bytes) or capped
            if capped and limits.kill_past_output_cap:
                break
    waited = cpu_wait_s(proc.pid) if timed_out else None
    ran_cpu = cpu_run_s(proc.pid) if timed_out else None
    if proc.returncode is None:
        cpu_used = _end(proc, isolated)
    _kill_group(proc)  # what is left of the run's process group
    proc.stdout.close()
    proc.stderr.close()
    code = proc.returncode
    # unshare re-raises its child's fatal signal, so a negative code is the program's signal.
    sig = -code if code < 0 else (code - 128 if isolated and 128 < code < 160 else None)
    killed = timed_out or (capped and limits.kill_past_output_cap)
    stderr = bytes(kept[err_fd])
    return RunResult(
        exit_code=None if killed or code < 0 else code,
        stdout=bytes(kept[out_fd]),
        stderr=stderr,
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        output_capped=capped,
        signal=None if killed else sig,
        isolated=isolated,
        wall_limit_s=limits.wall_s,
        cpu_limit_s=limits.cpu_s,
        cpu_s=cpu_used,
        cpu_wait_s=waited,
        cpu_run_s=ran_cpu,
        cpu_charge_s=limits.cpu_charge_s,
        sandbox_error=_jail_failure(stderr, token) if isolated and code == JAIL_FAILED_EXIT else None,
    )
