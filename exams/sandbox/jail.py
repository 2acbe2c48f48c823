"""How a command is wrapped so that it runs isolated.

Isolated mode (root, `unshare` works): the command runs as PID 1 of fresh
network, PID, IPC and mount namespaces (`unshare --net --pid --ipc --fork
--kill-child --mount --mount-proc`). Only loopback is up, so dialing any outside
address fails at once; /proc shows only the sandbox's own processes; the
world-writable directories (/tmp, /var/tmp, /dev/shm, /run/lock, /dev/mqueue)
are private, size-capped tmpfs mounts that vanish with the namespace, and the
directories that hold exam data or people's files (`hidden_dirs`: the installed
`exams` package, the Python environment, /home, /root, /work...) are empty and
read-only (the working directory, the Go toolchain and a trusted harness's own
files stay visible even when they live there).
When PID 1 exits or is killed, the kernel kills every process left in the
namespace, so nothing escapes by `setsid` or double forking.

Untrusted commands additionally run under a fresh unprivileged uid (one per
run, so RLIMIT_NPROC is counted for that run alone), with no capabilities,
`no_new_privs`, and rlimits on CPU, address space, open files, processes,
file size and core dumps (`setpriv` + `prlimit`, util-linux).

Fallback (not root, or namespaces refused, or QUANTSWEEP_SANDBOX_ISOLATION=off):
a warning is logged once; the command still gets rlimits, the env whitelist,
a private working directory and a process-group kill, and the uid drop when
we are root, but it shares the host network, /tmp and PID space, so it can
reach outside addresses and a child that calls setsid can outlive it.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from exams.golang import find_go
from exams.sandbox.limits import Limits

log = logging.getLogger(__name__)

UID_BASE = 200_000  # untrusted runs get uids in [UID_BASE, UID_BASE + UID_SPAN): no passwd entry, no files
UID_SPAN = 100_000
PROBE_TIMEOUT_S = 15.0
# What isolated mode runs, by Debian package: util-linux and mount (unshare, setpriv, prlimit,
# mount) and iproute2 (ip). ops/install.sh installs them, in CI and in the image.
REQUIRED_TOOLS = ("unshare", "ip", "mount", "setpriv", "prlimit")

# $1 = directory kept visible (the workspace), $2 = tmpfs size or "-" (no masking), $3 = cwd,
# $4 = more directories kept visible, read-only, ":"-separated (a trusted harness's own files, the
# Go toolchain), $5 = directories hidden behind an empty read-only tmpfs, ":"-separated; the rest
# is the command. A kept directory is held open before the masks go up and bound back over them
# from that open descriptor.
JAIL_SCRIPT = r"""
fail() { echo "$QUANTSWEEP_JAIL_TOKEN: $*" >&2; exit 125; }
ip link set lo up 2>/dev/null || echo "sandbox: loopback could not be brought up" >&2
keep="$1"; mask="$2"; work="$3"; extra="$4"; hide="$5"; shift 5
cd "$keep" || fail "cannot enter $keep"
if [ "$mask" != "-" ]; then
  n=3; IFS=:
  for d in $extra; do eval "exec $n<\"\$d\"" || fail "cannot open $d"; n=$((n+1)); done
  unset IFS
  for d in /tmp /var/tmp /dev/shm /run/lock /dev/mqueue; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o "size=$mask,mode=1777,nosuid,nodev" qs-tmp "$d" || fail "cannot mount a tmpfs on $d"; fi
  done
  hidden=""; IFS=:
  for d in $hide; do
    if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o "size=1m,mode=755,nosuid,nodev" qs-hidden "$d" && hidden="$hidden:$d" || fail "cannot hide $d"; fi
  done
  unset IFS
  if [ ! -d "$keep" ]; then mkdir -p "$keep" && mount -c --bind . "$keep" || fail "cannot bind $keep"; fi
  n=3; IFS=:
  for d in $extra; do
    if [ ! -d "$d" ]; then
      mkdir -p "$d" && mount -c --bind "/proc/self/fd/$n" "$d" && mount -c -o remount,bind,ro "$d" || fail "cannot bind $d"
    fi
    eval "exec $n<&-"; n=$((n+1))
  done
  for d in $hidden; do
    if [ -n "$d" ]; then mount -o remount,ro "$d" || fail "cannot make $d read-only"; fi
  done
  unset IFS
fi
cd "$work" || fail "cannot enter $work"
unset QUANTSWEEP_JAIL_TOKEN
"$@"
"""
# The jail reports its own failure on stderr behind a per-run token that the command never sees
# (unset before it starts; PID 1's environ is readable by root only), so a program cannot fake one.
JAIL_TOKEN_ENV = "QUANTSWEEP_JAIL_TOKEN"
JAIL_FAILED_EXIT = 125

# Every world-writable directory a Debian host has: each gets a private, size-capped tmpfs per
# run, so nothing written there outlives the run or reaches another (tests/exams/test_sandbox.py
# lists every path the untrusted uid can write and asserts it is exactly these and its run dir).
MASKED_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
# Where exam data (hidden tests, references, other checkouts) and people's files live: hidden
# behind an empty read-only tmpfs, besides the quantsweep installation itself (`hidden_dirs`).
HIDDEN_DIRS = ("/home", "/root", "/srv", "/opt", "/mnt", "/media", "/work")


@functools.cache
def hidden_dirs() -> tuple[str, ...]:
    """The directories an untrusted run cannot see: HIDDEN_DIRS, the installed `exams` package
    (its hidden tests and references) and the Python environment that holds it."""
    package = Path(__file__).resolve().parents[1]
    return (*HIDDEN_DIRS, str(package), str(Path(sys.prefix).resolve()))


def masked(path: Path) -> bool:
    """True when `path` lies under a directory the jail replaces with an empty tmpfs."""
    resolved = str(path.resolve())
    return any(resolved == d or resolved.startswith(d + "/") for d in (*MASKED_DIRS, *hidden_dirs()))


# --ipc: System V IPC objects and POSIX message queues are private to the run and vanish with it.
UNSHARE = ["unshare", "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount", "--mount-proc"]


def is_root() -> bool:
    """True when this process can drop untrusted code to another uid."""
    return os.geteuid() == 0


@functools.cache
def isolation_available() -> bool:
    """Probe once whether namespaces work here; log a warning when they do not."""
    if os.environ.get("QUANTSWEEP_SANDBOX_ISOLATION", "").lower() in {"off", "0", "false", "no"}:
        log.warning(
            "sandbox isolation disabled by QUANTSWEEP_SANDBOX_ISOLATION: untrusted code shares the host network"
        )
        return False
    reason = ""
    if not is_root():
        reason = "not running as root"
    elif missing := [tool for tool in REQUIRED_TOOLS if not shutil.which(tool)]:
        reason = f"{', '.join(missing)} missing: run ops/install.sh system"
    else:
        with tempfile.TemporaryDirectory(prefix="qs-probe-") as probe_dir:
            argv = jail_argv(Path(probe_dir), "1m", Path(probe_dir), "", "", ["true"])
            try:
                done = subprocess.run(argv, capture_output=True, timeout=PROBE_TIMEOUT_S, check=False)
                if done.returncode != 0 or done.stderr:
                    reason = "unshare failed: " + done.stderr.decode(errors="replace").strip()[:200]
            except (OSError, subprocess.SubprocessError) as exc:
                reason = f"unshare failed: {exc}"
    if reason:
        log.warning(
            "sandbox without namespaces (%s): untrusted code gets rlimits and a process-group kill "
            "but shares the host network, /tmp and PID space (in a container: run as root with "
            "cap_add SYS_ADMIN and NET_ADMIN and apparmor=unconfined, as compose.yaml's cpu-worker)",
            reason,
        )
        return False
    return True


def pick_uid() -> int:
    """A fresh unprivileged uid for one untrusted run."""
    return UID_BASE + int.from_bytes(os.urandom(4), "little") % UID_SPAN


def untrusted_prefix(limits: Limits, uid: int | None) -> list[str]:
    """The argv prefix that drops to `uid` (when given) and applies `limits` before exec."""
    prefix: list[str] = []
    if uid is not None:
        prefix += [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--no-new-privs",
            "--",
        ]
    rlimits = [
        f"--cpu={limits.cpu_s}:{limits.cpu_s + 1}",
        f"--nofile={limits.open_files}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_size_bytes}",
        "--core=0",
    ]
    if limits.memory_bytes is not None:
        rlimits.append(f"--as={limits.memory_bytes}")
    return [*prefix, "prlimit", *rlimits, "--"]


def wrap(
    argv: list[str],
    workdir: Path,
    limits: Limits,
    *,
    keep: Path,
    untrusted: bool,
    uid: int | None,
    mask_tmp: bool,
    keep_readonly: Sequence[Path] = (),
) -> tuple[list[str], bool]:
    """The full argv that runs `argv` in `workdir` inside the jail; also whether isolated.

    `keep` stays visible; so do `keep_readonly` (read-only) where /tmp is masked.
    """
    inner = [*untrusted_prefix(limits, uid), *argv] if untrusted else list(argv)
    if not isolation_available():
        return inner, False
    mask = str(limits.tmpfs_bytes) if mask_tmp else "-"
    visible = [*keep_readonly, find_go().goroot] if mask_tmp else keep_readonly
    extra = ":".join(str(p.resolve()) for p in visible if masked(p))
    return jail_argv(keep, mask, workdir, extra, ":".join(hidden_dirs()), inner), True


def jail_argv(
    keep: Path, mask: str, workdir: Path, extra: str, hide: str, command: Sequence[str]
) -> list[str]:
    """The unshare + jail script command line (the script's arguments in one place)."""
    return [*UNSHARE, "sh", "-c", JAIL_SCRIPT, "jail", str(keep), mask, str(workdir), extra, hide, *command]
