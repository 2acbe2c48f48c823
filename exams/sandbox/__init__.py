"""Running untrusted Go: build and run inside a jail, in a temp dir deleted afterwards.

Public API (stable; other exams rely on it)::

    from exams.sandbox import Workspace, Limits, RUN_LIMITS, BUILD_LIMITS

    with Workspace() as ws:                      # its own temp dir, deleted on exit
        built = ws.build({"factorial": src})     # each program alone, in parallel -> BuildResult
        built.binaries["factorial"]              # Path of each program that compiled
        built.programs["factorial"].reason       # why one did not: its own first error line
        built.programs["factorial"].fault        # or the cause, when the failure is ours (grader_error)
        ws.build({"scraper": src}, race=True)    # -race build (cgo on), separate dirs
        r = ws.run([built.binaries["factorial"]], stdin="...", limits=RUN_LIMITS.with_(wall_s=5))
        r.ok, r.exit_code, r.stdout, r.stderr, r.timed_out, r.output_capped, r.signal
        r.grader_fault()                         # the cause when the run ended by our doing, else None
        ws.run([binary, RUN_DIR + "/tree"], setup=make_inputs)  # setup(run_dir) writes inputs first
        ws.run([python, "harness.py", binary], trusted=True, limits=...)  # see Workspace.run

Every build and run gets a whitelisted environment (PATH, HOME=its dir, TMPDIR,
LANG; builds add GOROOT, GOCACHE, GOPROXY=off, GOTOOLCHAIN=local,
GOFLAGS=-mod=mod, GOWORK=off, CGO_ENABLED), never the grader's own variables. How a build
differs from a plain `go build file.go` is tabled in `exams.sandbox.workspace`; whose fault a
process's ending is, in `exams.sandbox.limits`.
The shared GOCACHE is QUANTSWEEP_GOCACHE or <user cache dir>/quantsweep/go-build.

Isolation (see `exams.sandbox.jail`): network/PID/IPC/mount namespaces with only
loopback, a fresh unprivileged uid per untrusted run (its run dir 0700, its own),
rlimits, private tmpfs for every world-writable directory, exam data and home
directories hidden, a workspace that is a size-capped tmpfs (a grade's whole disk
use), and a SIGKILL of the whole namespace at the wall-clock limit. Where
namespaces are unavailable a warning is logged and `RunResult.isolated` is
False. `isolation_available()` tells which mode is in force.

Builds run as us (compiling does not execute the program; cgo is off except for
-race builds) inside the network namespace, so GOPROXY=off is backed by having
no network at all.
"""

from exams.golang import GoToolchainError, find_go, gocache_dir
from exams.sandbox.jail import isolation_available
from exams.sandbox.limits import BUILD_LIMITS, RUN_LIMITS, BuildResult, Limits, ProgramBuild, RunResult
from exams.sandbox.workspace import RUN_DIR, UNTRUSTED_PREFIX_ENV, Workspace, go_mod

__all__ = [
    "BUILD_LIMITS",
    "RUN_DIR",
    "RUN_LIMITS",
    "UNTRUSTED_PREFIX_ENV",
    "BuildResult",
    "GoToolchainError",
    "Limits",
    "ProgramBuild",
    "RunResult",
    "Workspace",
    "find_go",
    "go_mod",
    "gocache_dir",
    "isolation_available",
]
