"""The sandbox against hostile programs: each is contained and the grader keeps working after it."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from exams.golang import GoToolchain, find_go
from exams.sandbox import RUN_LIMITS, Limits, Workspace, isolation_available, jail
from exams.sandbox.limits import MIB
from tests.support.availability import require_service

TOKEN = f"qs-hostile-{os.getpid()}"

HEADER = "package main\n\nimport (\n{imports}\n)\n\n"


def go(imports: str, body: str) -> str:
    lines = "\n".join(f'\t"{i}"' for i in imports.split())
    return HEADER.replace("{imports}", lines) + body


HOSTILE = {
    "hello": go("fmt", 'func main() { fmt.Println("hello") }\n'),
    "spin": go("", "func main() {\n\tfor {\n\t}\n}\n"),
    "forkbomb": go(
        "os os/exec time",
        "func main() {\n\tfor i := 0; i < 100000; i++ {\n\t\tgo func() { _ = exec.Command(os.Args[0]).Run() }()\n"
        "\t\tgo func() { time.Sleep(time.Hour) }()\n\t}\n\ttime.Sleep(time.Hour)\n}\n",
    ),
    "flood": go(
        "bytes os",
        'func main() {\n\tchunk := bytes.Repeat([]byte("x"), 1<<20)\n\tfor i := 0; i < 1024; i++ {\n'
        "\t\tif _, err := os.Stdout.Write(chunk); err != nil {\n\t\t\tos.Exit(3)\n\t\t}\n\t}\n}\n",
    ),
    "hog": go(
        "fmt",
        "func main() {\n\tvar keep [][]byte\n\tfor i := 0; ; i++ {\n\t\tb := make([]byte, 64<<20)\n"
        "\t\tfor j := range b {\n\t\t\tb[j] = byte(i)\n\t\t}\n\t\tkeep = append(keep, b)\n"
        '\t\tfmt.Println(len(keep) * 64, "MiB")\n\t}\n}\n',
    ),
    "dialer": go(
        "fmt net time",
        'func main() {\n\t_, err := net.DialTimeout("tcp", "192.0.2.1:80", 2*time.Second)\n'
        '\tfmt.Println("outside:", err)\n\tln, err := net.Listen("tcp", "127.0.0.1:0")\n'
        '\tif err != nil {\n\t\tfmt.Println("loopback: listen", err)\n\t\treturn\n\t}\n'
        '\tgo func() { c, _ := ln.Accept(); c.Write([]byte("pong")); c.Close() }()\n'
        '\tc, err := net.Dial("tcp", ln.Addr().String())\n\tif err != nil {\n'
        '\t\tfmt.Println("loopback: dial", err)\n\t\treturn\n\t}\n\tbuf := make([]byte, 4)\n'
        '\tn, _ := c.Read(buf)\n\tfmt.Println("loopback:", string(buf[:n]))\n}\n',
    ),
    "snoop": go(
        "fmt os path/filepath",
        'func main() {\n\tfmt.Println(os.Environ())\n\tfiles, _ := filepath.Glob("/proc/*/environ")\n'
        "\tfor _, f := range files {\n\t\tif b, err := os.ReadFile(f); err == nil {\n"
        "\t\t\tfmt.Println(f, string(b))\n\t\t}\n\t}\n}\n",
    ),
    "escape": go(
        "fmt os",
        'func main() {\n\tfor _, p := range os.Args[1:] {\n\t\terr := os.WriteFile(p, []byte("escaped"), 0o644)\n'
        '\t\tfmt.Println(p, err)\n\t}\n\tfmt.Println(os.WriteFile("inside.txt", []byte("ok"), 0o644))\n}\n',
    ),
    "stubborn": go(
        "os/signal syscall time",
        "func main() {\n\tsignal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)\n\ttime.Sleep(time.Hour)\n}\n",
    ),
    "orphan": go(
        "fmt os os/exec syscall",
        'func main() {\n\tcmd := exec.Command("/bin/sleep", os.Args[1])\n'
        "\tcmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n\tfmt.Println(cmd.Start())\n}\n",
    ),
}


@pytest.fixture(scope="module")
def hostile(go_toolchain: GoToolchain) -> Iterator[tuple[Workspace, dict[str, Path]]]:
    """All hostile programs, built once in one go build."""
    with Workspace() as ws:
        built = ws.build(HOSTILE)
        assert built.ok, built.log
        yield ws, built.binaries


def still_works(ws: Workspace, binaries: dict[str, Path]) -> None:
    result = ws.run([binaries["hello"]])
    assert result.ok and result.stdout == b"hello\n", result


def processes_with(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_an_infinite_loop_is_killed_at_the_wall_clock_limit(
    hostile: tuple[Workspace, dict[str, Path]],
) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["spin"]], limits=RUN_LIMITS.with_(wall_s=1.5))
    assert result.timed_out and not result.ok and result.exit_code is None
    still_works(ws, binaries)


def test_a_cpu_burner_is_killed_by_its_cpu_limit_before_the_wall_clock(
    hostile: tuple[Workspace, dict[str, Path]],
) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["spin"]], limits=RUN_LIMITS.with_(wall_s=30, cpu_s=1))
    assert not result.ok and not result.timed_out and result.signal is not None, result
    still_works(ws, binaries)


def test_a_fork_and_goroutine_bomb_is_contained_and_leaves_no_process(
    hostile: tuple[Workspace, dict[str, Path]],
) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["forkbomb"]], limits=RUN_LIMITS.with_(wall_s=3, processes=32))
    assert not result.ok
    assert processes_with(str(binaries["forkbomb"])) == []
    still_works(ws, binaries)


def test_a_gigabyte_to_stdout_is_cut_at_the_output_cap(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["flood"]], limits=RUN_LIMITS.with_(max_output_bytes=64 * 1024, wall_s=20))
    assert result.output_capped and not result.ok and not result.timed_out
    assert len(result.stdout) == 64 * 1024
    still_works(ws, binaries)


def test_allocating_all_memory_fails_inside_the_sandbox(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["hog"]], limits=RUN_LIMITS.with_(memory_bytes=1024 * MIB, wall_s=20))
    assert not result.ok and not result.timed_out
    assert b"out of memory" in result.stderr
    assert int(result.stdout.split()[-2]) < 1024
    still_works(ws, binaries)


@pytest.mark.skipif(
    not isolation_available(), reason="no network namespace here: outside addresses are reachable"
)
def test_dialing_an_outside_address_fails_while_loopback_works(
    hostile: tuple[Workspace, dict[str, Path]],
) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["dialer"]], limits=RUN_LIMITS.with_(wall_s=10))
    out = result.stdout.decode()
    assert result.ok and result.isolated, result
    assert "outside: dial tcp 192.0.2.1:80: connect: network is unreachable" in out
    assert "loopback: pong" in out


def test_the_graders_secrets_are_not_visible(
    hostile: tuple[Workspace, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, binaries = hostile
    secret = f"postgresql://grader:{TOKEN}@db/quantsweep"
    monkeypatch.setenv("DATABASE_URL", secret)
    monkeypatch.setenv("REDIS_URL", f"redis://:{TOKEN}@cache:6379/0")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = ws.run([binaries["snoop"]])
    assert result.ok, result
    assert TOKEN.encode() not in result.stdout
    assert b"DATABASE_URL" not in result.stdout and b"REDIS_URL" not in result.stdout
    assert str(Path.home()).encode() + b" " not in result.stdout
    still_works(ws, binaries)


def test_writing_outside_its_directory_fails_or_vanishes(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, binaries = hostile
    targets = [
        ws.root / f"{TOKEN}-workspace",
        Path("/tmp") / f"{TOKEN}-tmp",
        Path("/dev/shm") / f"{TOKEN}-shm",
        Path(__file__).parent / f"{TOKEN}-repo",
        Path("/etc") / f"{TOKEN}-etc",
    ]
    result = ws.run([binaries["escape"], *targets])
    assert result.ok, result
    assert result.stdout.decode().strip().endswith("<nil>")  # its own dir is writable
    for target in targets:
        assert not target.exists(), target
    still_works(ws, binaries)


def test_a_program_ignoring_sigterm_is_still_killed(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, binaries = hostile
    result = ws.run([binaries["stubborn"]], limits=RUN_LIMITS.with_(wall_s=1.5))
    assert result.timed_out
    assert processes_with(str(binaries["stubborn"])) == []
    still_works(ws, binaries)


@pytest.mark.skipif(
    not isolation_available(), reason="no PID namespace here: a setsid child can outlive the run"
)
def test_a_child_left_behind_is_killed_with_the_sandbox(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, binaries = hostile
    marker = f"{os.getpid() % 1000 + 1000}.4242"
    result = ws.run([binaries["orphan"], marker])
    assert result.ok and result.stdout == b"<nil>\n", result
    assert processes_with(marker) == []
    still_works(ws, binaries)


def test_untrusted_code_runs_as_a_fresh_unprivileged_uid(hostile: tuple[Workspace, dict[str, Path]]) -> None:
    ws, _binaries = hostile
    if os.geteuid() != 0:
        pytest.skip("uid drop needs root")
    result = ws.run(["/usr/bin/id", "-u"])
    assert result.ok and int(result.stdout) >= 200_000


HARNESS = (
    "import json, os, subprocess\n"
    "prefix = json.loads(os.environ['QUANTSWEEP_UNTRUSTED_PREFIX'])\n"
    "child = subprocess.run([*prefix, '/usr/bin/id', '-u'], capture_output=True, text=True)\n"
    "print(os.geteuid(), child.stdout.strip(), 'DATABASE_URL' in os.environ)\n"
)


def test_a_trusted_harness_starts_untrusted_code_as_another_uid_in_the_same_sandbox(
    hostile: tuple[Workspace, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _binaries = hostile
    if os.geteuid() != 0:
        pytest.skip("uid drop needs root")
    monkeypatch.setenv("DATABASE_URL", "postgresql://secret@db/x")
    result = ws.run([sys.executable, "-c", HARNESS], trusted=True, limits=RUN_LIMITS.with_(wall_s=20))
    assert result.ok, result
    harness_uid, child_uid, leaked = result.stdout.decode().split()
    assert harness_uid == "0" and int(child_uid) >= 200_000 and leaked == "False"


def test_a_workspace_is_deleted_on_close(go_toolchain: GoToolchain) -> None:
    with Workspace() as ws:
        ws.run(["/bin/true"])
        root = ws.root
        assert root.is_dir()
    assert not root.exists()


def test_without_namespaces_a_warning_is_logged_and_runs_still_work(
    hostile: tuple[Workspace, dict[str, Path]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ws, binaries = hostile
    from exams.sandbox import jail

    monkeypatch.setenv("QUANTSWEEP_SANDBOX_ISOLATION", "off")
    jail.isolation_available.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="exams.sandbox.jail"):
            result = ws.run([binaries["hello"]])
        assert result.ok and not result.isolated
        assert any("isolation disabled" in r.getMessage() for r in caplog.records)
        timed = ws.run([binaries["stubborn"]], limits=Limits(wall_s=1.0))
        assert timed.timed_out  # the process-group kill still works
    finally:
        jail.isolation_available.cache_clear()


def test_a_missing_go_toolchain_is_a_grader_error_not_a_score(monkeypatch: pytest.MonkeyPatch) -> None:
    import exams

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("QUANTSWEEP_GO", raising=False)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    find_go.cache_clear()
    try:
        grade = exams.grade("v1", "#START factorial.go#\npackage main\nfunc main() {}\n#END factorial.go#\n")
    finally:
        find_go.cache_clear()
        jail.isolation_available.cache_clear()  # probed with this PATH, where unshare is not found
    assert grade.verdict == exams.Verdict.GRADER_ERROR and grade.score == 0
    assert "Go toolchain not found" in grade.log


def test_a_trusted_harness_under_tmp_stays_visible_and_read_only(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if os.geteuid() != 0 or not isolation_available():
        pytest.skip("the /tmp mask needs root and namespaces")
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="qs-harness-", dir="/tmp"))
    try:
        harness = home / "harness.sh"
        harness.write_text(
            '#!/bin/sh\ncat "$0" >/dev/null && echo visible\ntouch "$0.new" 2>/dev/null || echo read-only\n'
        )
        harness.chmod(0o755)
        with Workspace() as ws:
            result = ws.run([str(harness)], trusted=True)
        assert result.ok, result
        assert result.stdout.decode().split() == ["visible", "read-only"]
        assert not (home / "harness.sh.new").exists()
    finally:
        import shutil

        shutil.rmtree(home)


def _isolated_as_root() -> None:
    if os.geteuid() != 0 or not isolation_available():
        require_service(
            "root with namespaces (the masks and hidden directories)", PermissionError("no isolation")
        )


def test_the_untrusted_uid_can_write_only_its_run_dir_and_private_tmpfs() -> None:
    """Walk every directory and file the untrusted uid sees (but /proc and /sys, the kernel's own
    views) and list what it may write: exactly its run dir and the per-run tmpfs masks."""
    _isolated_as_root()
    script = (
        "find / \\( -path /proc -o -path /sys \\) -prune -o -writable \\( -type d -o -type f \\) -print 2>/dev/null;"
        " echo probe > /run/lock/qs-probe && cat /run/lock/qs-probe"
    )
    with Workspace() as ws:
        result = ws.run(["sh", "-c", script], limits=RUN_LIMITS.with_(wall_s=120, cpu_s=120))
        run_dir = str(next(ws.root.glob("run-*")))
    assert result.exit_code == 0, result
    lines = result.stdout.decode().split("\n")
    assert lines[-2] == "probe"  # a write in a masked directory works, and stays in the run
    private = [d for d in jail.MASKED_DIRS if Path(d).is_dir() and not Path(d).is_symlink()]
    roots = sorted({line for line in lines[:-2] if line} - {run_dir, *private})
    outside = [p for p in roots if not any(p.startswith(d + "/") for d in (run_dir, *private))]
    assert outside == [], outside
    # The run dir is not listed: the workspace above it is traversable but not readable by the uid.
    assert {"/tmp", "/var/tmp"} <= set(lines)
    assert not Path("/run/lock/qs-probe").exists()


def test_hidden_sources_references_and_binaries_are_unreadable_by_the_untrusted_uid(
    go_toolchain: GoToolchain,
) -> None:
    _isolated_as_root()
    repo_file = Path(__file__).resolve().parents[2] / "exams/go-tasks/tasks/reverse/task_test.go"
    assert repo_file.is_file()
    with Workspace() as ws:
        built = ws.build_test("pkg", {"pkg/p.go": "package pkg\n", "pkg/p_test.go": "package pkg\n"})
        assert built.binary is not None, built.log
        source = ws.root / "test-src-plain" / "pkg" / "p_test.go"
        targets = [repo_file, source, built.binary, Path(sys.prefix) / "pyvenv.cfg"]
        result = ws.run(
            [
                "sh",
                "-c",
                'for f in "$@"; do cat "$f" >/dev/null 2>&1 && echo "read $f"; done; echo done',
                "sh",
                *map(str, targets),
            ]
        )
    assert result.stdout.decode().split("\n")[-2:] == ["done", ""], result.stdout


def test_ci_as_root_grades_with_full_isolation() -> None:
    """Where CI runs (root, util-linux), a broken jail must fail loudly, not degrade to a warning."""
    if not os.environ.get("CI") or os.geteuid() != 0:
        pytest.skip("only CI, as root, promises namespaces")
    from exams.sandbox import jail

    jail.isolation_available.cache_clear()
    assert jail.isolation_available()
