"""A private temp dir for grading one response: build Go there, run binaries in fresh subdirs."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Self

from exams.golang import find_go, gocache_dir
from exams.sandbox.jail import is_root, pick_uid, untrusted_prefix, wrap
from exams.sandbox.limits import BUILD_LIMITS, RUN_LIMITS, BuildResult, Limits, RunResult
from exams.sandbox.process import execute

MODULE = "sandbox"
GO_MOD = f"module {MODULE}\n\ngo 1.22\n"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
UNTRUSTED_PREFIX_ENV = "QUANTSWEEP_UNTRUSTED_PREFIX"  # JSON argv prefix a trusted harness puts before untrusted commands

RUN_DIR = "{run_dir}"  # placeholder in Workspace.run argv for the fresh run dir
Programs = Mapping[str, str | Mapping[str, str]]  # program name -> main.go source, or {file name: source}


def _base_env(home: Path) -> dict[str, str]:
    """A whitelisted environment: nothing of the grader's own env leaks through."""
    return {"PATH": SYSTEM_PATH, "HOME": str(home), "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


class Workspace:
    """A temp dir owned by one grading; builds and runs happen inside it; deleted on close."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="qs-", dir=base_dir))
        self.root.chmod(0o711)  # untrusted uids may traverse to their run dir, not list siblings
        self._runs = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete everything the workspace holds."""
        shutil.rmtree(self.root, ignore_errors=True)

    def build(self, programs: Programs, *, race: bool = False, limits: Limits = BUILD_LIMITS) -> BuildResult:
        """Build each program (a `package main`) with one `go build`; binaries for those that compile."""
        toolchain = find_go()
        kind = "race" if race else "plain"
        src, bin_dir = self.root / f"src-{kind}", self.root / f"bin-{kind}"
        src.mkdir(exist_ok=True)
        bin_dir.mkdir(exist_ok=True)
        (src / "go.mod").write_text(GO_MOD)
        for name, files in programs.items():
            pkg = src / name
            pkg.mkdir(exist_ok=True)
            for file_name, source in ({"main.go": files} if isinstance(files, str) else files).items():
                (pkg / file_name).write_text(source)
        env = _base_env(src) | {
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
        argv = [str(toolchain.go), "build", "-trimpath", "-o", str(bin_dir) + "/"]
        argv += ["-race"] if race else []
        argv += [f"./{name}" for name in programs]
        wrapped, isolated = wrap(argv, src, limits, keep=self.root, untrusted=False, uid=None, mask_tmp=False)
        started = time.monotonic()
        result = execute(wrapped, cwd=src, env=env, limits=limits, isolated=isolated)
        log = (result.stdout + result.stderr).decode(errors="replace")
        binaries = {name: bin_dir / name for name in programs if (bin_dir / name).is_file()}
        bin_dir.chmod(0o755)
        return BuildResult(
            ok=len(binaries) == len(programs) and result.exit_code == 0,
            binaries=binaries,
            log=log,
            duration_s=time.monotonic() - started,
            timed_out=result.timed_out,
        )

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
        self._runs += 1
        run_dir = self.root / f"run-{self._runs}"
        run_dir.mkdir()
        if setup is not None:
            setup(run_dir)
        uid = pick_uid() if is_root() else None
        if uid is not None:
            os.chown(run_dir, uid, uid)
        stdin_path = None
        if stdin is not None:
            stdin_path = self.root / f"stdin-{self._runs}"
            stdin_path.write_bytes(stdin.encode() if isinstance(stdin, str) else stdin)
        full_env = _base_env(run_dir) | dict(env or {})
        command = [str(part).replace(RUN_DIR, str(run_dir)) for part in argv]
        if trusted:
            full_env[UNTRUSTED_PREFIX_ENV] = json.dumps(untrusted_prefix(limits, uid))
        # A trusted harness may live under /tmp (a checkout or venv there): keep its files visible.
        own_files = (Path(command[0]).parent, Path(sys.prefix)) if trusted else ()
        wrapped, isolated = wrap(
            command, run_dir, limits, keep=self.root, untrusted=not trusted, uid=uid, mask_tmp=True,
            keep_readonly=own_files,
        )
        return execute(wrapped, cwd=run_dir, env=full_env, limits=limits, stdin_path=stdin_path, isolated=isolated)


_PACKAGE_HEADER = re.compile(rf"^# {MODULE}/(\S+)$", re.MULTILINE)


def split_build_log(log: str) -> dict[str, str]:
    """Split a multi-package `go build` log into per-program parts (by its `# sandbox/<name>` headers)."""
    parts: dict[str, str] = {}
    matches = list(_PACKAGE_HEADER.finditer(log))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(log)
        parts[match.group(1)] = parts.get(match.group(1), "") + log[match.end() : end].strip("\n") + "\n"
    return parts
