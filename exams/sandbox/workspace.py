"""A private temp dir for grading one response: build Go there, run binaries in fresh subdirs.

How a build differs from a plain `go build file.go` with the same toolchain, and why no
difference can change whether a program builds:

| setting | here | effect on a verdict |
| --- | --- | --- |
| files | a program that fails is built alone, its files named on the command line (`go build ./p/p.go`); several one-file programs are first tried in one package-mode build (see `Workspace.build`) | none: build constraints (`//go:build`) are ignored for named files, as in the plain build |
| language version | go.mod states the toolchain's own (`GoToolchain.language_version`) | none: the plain build outside a module uses the toolchain's |
| module mode | a module with no requirements; GOFLAGS=-mod=mod, GOPROXY=off, GOWORK=off | none for the standard library; an import of another module fails in both, here with "module lookup disabled by GOPROXY=off" |
| CGO_ENABLED | 0 (plain builds), 1 (-race) | a program that imports "C" fails, with the reason "cgo is disabled in the grader" |
| -trimpath, GOPATH, GOCACHE, GOTOOLCHAIN=local, env whitelist | as set below | none on the verdict |
| `go vet` | never run (`build_test` compiles tests with `go test -c -vet=off`, so no vet step can fail a program that builds) | none |

A program that builds but is not `package main` gets no binary, with the reason saying so.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

from exams.golang import GoToolchain, find_go, gocache_dir
from exams.sandbox.jail import is_root, isolation_available, pick_uid, untrusted_prefix, wrap
from exams.sandbox.limits import BUILD_LIMITS, MIB, RUN_LIMITS, BuildResult, Limits, ProgramBuild, RunResult
from exams.sandbox.process import execute

log = logging.getLogger(__name__)

MODULE = "sandbox"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
UNTRUSTED_PREFIX_ENV = (
    "QUANTSWEEP_UNTRUSTED_PREFIX"  # JSON argv prefix a trusted harness puts before untrusted commands
)
MAX_PARALLEL_BUILDS = 4
WORKSPACE_BYTES = 1024 * MIB  # a grade's whole disk use: sources, test binaries, every run's files
MOUNT_TIMEOUT_S = 15.0

RUN_DIR = "{run_dir}"  # placeholder in Workspace.run argv for the fresh run dir
Programs = Mapping[
    str, str | Mapping[str, str]
]  # program name -> its source (built as <name>.go), or {file name: source}

_IMPORTS_C = re.compile(r'^\s*(?:import\s+)?(?:\w+\s+)?"C"\s*$', re.MULTILINE)
_PACKAGE = re.compile(r"^\s*package\s+(\w+)", re.MULTILINE)
# Lines of a failed build that blame the machine, not the program: a compiler or linker killed
# (the kernel's out-of-memory killer), a fork refused, memory or disk exhausted, no C compiler.
_BUILD_INFRA = re.compile(
    r"signal: killed|cannot allocate memory|resource temporarily unavailable|no space left on device"
    r'|C compiler "[^"]*" not found|exec: "[^"]*": executable file not found',
    re.IGNORECASE,
)
_COMPILER_MESSAGE = re.compile(r"^\S+\.go:\d+")  # may quote the program's own text: never read as infra
_GO_PROGRESS = re.compile(r"^go: (finding|downloading|extracting) ")
_ELF_MAGIC = b"\x7fELF"


def go_mod(toolchain: GoToolchain, module: str = MODULE) -> str:
    """The workspace's go.mod: a module that states the toolchain's own language version."""
    return f"module {module}\n\ngo {toolchain.language_version}\n"


def _base_env(home: Path) -> dict[str, str]:
    """A whitelisted environment: nothing of the grader's own env leaks through."""
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _first_error(log: str) -> str:
    """The first line of a failed build that says why: a `file.go:line:` error, else any line
    but package headers and the go command's progress (`go: finding module ...`)."""
    lines = [line.strip() for line in log.splitlines() if line.strip() and not line.startswith("#")]
    chosen = next((line for line in lines if _COMPILER_MESSAGE.match(line)), None)
    chosen = chosen or next((line for line in lines if not _GO_PROGRESS.match(line)), None)
    return chosen[:300] if chosen else "go build failed with no output"


def _infra_failure(log: str) -> str | None:
    for line in log.splitlines():
        if not _COMPILER_MESSAGE.match(line) and (match := _BUILD_INFRA.search(line)):
            return match.group(0)
    return None


def _build_fault(result: RunResult, log: str) -> str | None:
    """Why a build failed by our doing (our limit, a kill, the machine), or None: the program's own."""
    fault = result.build_fault()
    if fault is None and result.exit_code != 0 and (infra := _infra_failure(log)):
        fault = f"go build failed for a reason outside the program: {infra}"
    return fault


def _why_no_program(sources: Mapping[str, str], log: str, race: bool) -> str:
    """The reason a program did not build, naming any way the grader differs from a plain build."""
    if not race and any(_IMPORTS_C.search(s) for s in sources.values()):
        return 'cgo is disabled in the grader: the program imports "C"'
    return _first_error(log)


def _is_program(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == _ELF_MAGIC
    except OSError:
        return False


def _mount_tmpfs(root: Path, size_bytes: int) -> bool:
    """Mount a size-capped tmpfs on `root` (root and namespaces only); False where it cannot."""
    if not (is_root() and isolation_available()):
        return False
    options = f"size={size_bytes},mode=0711,nosuid,nodev"
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "qs-workspace", str(root)],
            capture_output=True,
            timeout=MOUNT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("workspace without a disk cap: mount failed (%s)", exc)
        return False
    if done.returncode != 0:
        log.warning("workspace without a disk cap: %s", done.stderr.decode(errors="replace").strip()[:200])
        return False
    return True


class Workspace:
    """A temp dir owned by one grading; builds and runs happen inside it; deleted on close.

    Where isolation is in force the dir is a tmpfs of `disk_bytes`: everything a grade writes
    (sources, binaries, every run's files) shares that cap, and a write past it fails (ENOSPC).
    """

    def __init__(self, base_dir: Path | None = None, disk_bytes: int = WORKSPACE_BYTES) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="qs-", dir=base_dir))
        self._mounted = _mount_tmpfs(self.root, disk_bytes)
        self.root.chmod(0o711)  # untrusted uids may traverse to their run dir, not list siblings
        self._runs = itertools.count(1)  # run dir numbers; next() is atomic, so runs may be parallel

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete everything the workspace holds."""
        if self._mounted:
            subprocess.run(
                ["umount", "--lazy", str(self.root)],
                capture_output=True,
                timeout=MOUNT_TIMEOUT_S,
                check=False,
            )
            self._mounted = False
        shutil.rmtree(self.root, ignore_errors=True)

    def build(self, programs: Programs, *, race: bool = False, limits: Limits = BUILD_LIMITS) -> BuildResult:
        """Build each program (a `package main`) as if alone, as `go build <name>.go` would.

        Several one-file programs are first built by one `go build` of their packages (one
        go command instead of several: the common case where all build); each program
        that got no binary from it is then built alone, by its files, in parallel. A
        one-file package that builds as a package builds as a file too (same file, same
        language version; as a package, a build constraint can only exclude it), so only
        the second build decides a failure. A program's failure is its own:
        `BuildResult.programs[name]` holds its binary, or its own build log and first
        error line, or (`fault`) the cause when its build ended by our doing (our time
        limit, a kill, a sandbox failure) and says nothing about the program.
        """
        toolchain = find_go()
        kind = "race" if race else "plain"
        src, bin_dir = self.root / f"src-{kind}", self.root / f"bin-{kind}"
        src.mkdir(mode=0o700, exist_ok=True)  # readable by us alone
        bin_dir.mkdir(exist_ok=True)
        (src / "go.mod").write_text(go_mod(toolchain))
        files: dict[str, dict[str, str]] = {}
        for name, given in programs.items():
            files[name] = {f"{name}.go": given} if isinstance(given, str) else dict(given)
            (src / name).mkdir(exist_ok=True)
            for file_name, source in files[name].items():
                (src / name / file_name).write_text(source)
        env = self._go_env(src, toolchain, race=race)

        def go_build(output: Path, targets: list[str]) -> RunResult:
            argv = [
                str(toolchain.go),
                "build",
                "-trimpath",
                "-o",
                str(output),
                *(["-race"] if race else []),
                *targets,
            ]
            wrapped, isolated = wrap(
                argv, src, limits, keep=self.root, untrusted=False, uid=None, mask_tmp=False
            )
            return execute(wrapped, cwd=src, env=env, limits=limits, isolated=isolated)

        def build_one(name: str) -> ProgramBuild:
            binary = bin_dir / name
            result = go_build(binary, [f"./{name}/{file_name}" for file_name in files[name]])
            log = (result.stdout + result.stderr).decode(errors="replace")
            if (fault := _build_fault(result, log)) is not None:
                return ProgramBuild(None, log, reason=fault, fault=fault)
            if result.exit_code != 0:
                return ProgramBuild(None, log, reason=_why_no_program(files[name], log, race))
            if not _is_program(binary):
                package = next((m.group(1) for s in files[name].values() if (m := _PACKAGE.search(s))), "?")
                return ProgramBuild(
                    None,
                    log,
                    reason=f"package {package} is not package main: go build makes no program of it",
                )
            return ProgramBuild(binary, log)

        started = time.monotonic()
        built: dict[str, ProgramBuild] = {}
        if len(files) > 1 and all(len(f) == 1 for f in files.values()):
            go_build(bin_dir, [f"./{name}" for name in files])  # `-o dir`: one binary per main package
            built = {name: ProgramBuild(bin_dir / name, "") for name in files if _is_program(bin_dir / name)}
        alone = [name for name in files if name not in built]
        with ThreadPoolExecutor(max_workers=min(len(alone), MAX_PARALLEL_BUILDS) or 1) as pool:
            built |= dict(zip(alone, pool.map(build_one, alone), strict=True))
        built = {name: built[name] for name in files}
        bin_dir.chmod(0o755)
        return BuildResult(programs=built, duration_s=time.monotonic() - started)

    def build_test(
        self,
        target: str,
        files: Mapping[str, str],
        *,
        module: str = MODULE,
        race: bool = False,
        limits: Limits = BUILD_LIMITS,
    ) -> ProgramBuild:
        """Compile the tests of the package in directory `target` into one binary (`go test -c
        -vet=off`); nothing of it runs here.

        `files` maps paths in the module `module` (e.g. `reverse/solution.go`) to sources; tests
        import its packages as `<module>/<dir>`. The sources are readable by us alone and the binary
        is execute-only for others, so an untrusted run of it cannot read either from disk. As for
        `build`, a failure of ours is `fault`.
        """
        toolchain = find_go()
        kind = "race" if race else "plain"
        src, bin_dir = self.root / f"test-src-{kind}", self.root / f"test-bin-{kind}"
        src.mkdir(mode=0o700, exist_ok=True)
        bin_dir.mkdir(exist_ok=True)
        (src / "go.mod").write_text(go_mod(toolchain, module))
        for rel, source in files.items():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            (src / rel).write_text(source)
        binary = bin_dir / f"{Path(target).name}.test"
        argv = [str(toolchain.go), "test", "-c", "-vet=off", "-trimpath", "-o", str(binary)]
        argv += [*(["-race"] if race else []), f"./{target}"]
        wrapped, isolated = wrap(argv, src, limits, keep=self.root, untrusted=False, uid=None, mask_tmp=False)
        result = execute(
            wrapped, cwd=src, env=self._go_env(src, toolchain, race=race), limits=limits, isolated=isolated
        )
        bin_dir.chmod(0o711)
        log = (result.stdout + result.stderr).decode(errors="replace")
        if (fault := _build_fault(result, log)) is not None:
            return ProgramBuild(None, log, reason=fault, fault=fault)
        if result.exit_code != 0 or not _is_program(binary):
            return ProgramBuild(None, log, reason=_first_error(log))
        binary.chmod(0o711)  # the binary holds the hidden tests' expected values
        return ProgramBuild(binary, log)

    def _go_env(self, src: Path, toolchain: GoToolchain, *, race: bool) -> dict[str, str]:
        return _base_env(src) | {
            "PATH": f"{toolchain.goroot / 'bin'}:{SYSTEM_PATH}",
            "GOROOT": str(toolchain.goroot),
            "GOCACHE": str(gocache_dir()),
            "GOPATH": str(self.root / "gopath"),
            "GOPROXY": "off",
            "GOTOOLCHAIN": "local",
            "GOFLAGS": "-mod=mod",
            "GOTELEMETRY": "off",
            "GOWORK": "off",
            "CGO_ENABLED": "1" if race else "0",  # -race needs cgo; plain builds never run a C compiler
        }

    def run(
        self,
        argv: Sequence[str | Path],
        *,
        stdin: bytes | str | None = None,
        setup: Callable[[Path], object] | None = None,
        limits: Limits = RUN_LIMITS,
        trusted: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Run one process in a fresh run dir (its cwd and HOME), inside the jail.

        Untrusted (default): argv runs as a fresh unprivileged uid under `limits`.
        Trusted (a harness): argv runs as us, inside the same namespaces, with env
        QUANTSWEEP_UNTRUSTED_PREFIX holding the JSON argv prefix it must put in front
        of any untrusted command it starts (uid drop + rlimits from `limits`).
        `setup(run_dir)` may create input files before the process starts; the text
        "{run_dir}" in any argv element is replaced by the run dir's path.
        """
        number = next(self._runs)
        run_dir = self.root / f"run-{number}"
        run_dir.mkdir()
        if setup is not None:
            setup(run_dir)
        uid = pick_uid() if is_root() else None
        if uid is not None:
            for path in [run_dir, *run_dir.rglob("*")]:
                os.chown(path, uid, uid, follow_symlinks=False)
            run_dir.chmod(0o700)  # no other run's uid may read what this one holds
        stdin_path = None
        if stdin is not None:
            stdin_path = self.root / f"stdin-{number}"
            stdin_path.write_bytes(stdin.encode() if isinstance(stdin, str) else stdin)
        full_env = _base_env(run_dir) | dict(env or {})
        command = [str(part).replace(RUN_DIR, str(run_dir)) for part in argv]
        if trusted:
            full_env[UNTRUSTED_PREFIX_ENV] = json.dumps(untrusted_prefix(limits, uid))
        # A trusted harness may live where untrusted runs see nothing (/tmp, /root, a checkout, a
        # venv): keep its files visible, read-only.
        own_files = (
            (
                Path(command[0]).parent,
                Path(command[0]).resolve().parent,
                Path(sys.prefix),
                Path(sys.base_prefix),
            )
            if trusted
            else ()
        )
        wrapped, isolated = wrap(
            command,
            run_dir,
            limits,
            keep=self.root,
            untrusted=not trusted,
            uid=uid,
            mask_tmp=True,
            keep_readonly=own_files,
        )
        return execute(
            wrapped, cwd=run_dir, env=full_env, limits=limits, stdin_path=stdin_path, isolated=isolated
        )
