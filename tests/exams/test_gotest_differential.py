"""Differential: go-tasks' per-test verdicts equal a plain `go test -json` of the same two files.

For every task's reference and known-bad solutions (the hostile answers are left out: a plain
`go test` believes what they print, which is the point of the grader's own channel), the answer
file and the hidden tests are put in one package directory of a fresh module and run with
`go test -json -count=1` (with `-race` where the task says so) with the grader's toolchain and
default settings. Each top-level test that plain run started must have the same verdict in the
grade (a test it started and never ended, because the binary died in it, is failed). A test the
plain run never reached (the binary died in an earlier test) is not compared: the grader runs it
again, a plain `go test` does not.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

import exams
from exams.extract import extract_files
from exams.golang import GoToolchain, gocache_dir
from exams.gotest.exam import TEST_MODULE, GoTask, with_package
from exams.registry import get_exam, job_exams

PLAIN_TIMEOUT_S = 300


def plain_verdicts(toolchain: GoToolchain, task: GoTask, source: str) -> dict[str, bool]:
    """{top-level test: passed} from a plain `go test -json` of the answer and the hidden tests."""
    package = task.task.package
    with tempfile.TemporaryDirectory(prefix="qs-plain-") as tmp:
        root = Path(tmp)
        (root / "go.mod").write_text(f"module {TEST_MODULE}\n\ngo {toolchain.language_version}\n")
        (root / package).mkdir()
        (root / package / "solution.go").write_text(with_package(source, package))
        (root / package / "task_test.go").write_text(task.task.test_source())
        env = {
            "PATH": f"{toolchain.goroot / 'bin'}:/usr/bin:/bin",
            "HOME": tmp,
            "GOCACHE": str(gocache_dir()),
            "GOPATH": str(root / "gopath"),
            "GOFLAGS": "-mod=mod",
            "GOPROXY": "off",
            "GOTOOLCHAIN": "local",
            "CGO_ENABLED": "1" if task.task.race else "0",
        }
        argv = [str(toolchain.go), "test", "-json", "-count=1", "-vet=off", "-timeout=60s"]
        argv += [*(["-race"] if task.task.race else []), f"./{package}"]
        done = subprocess.run(
            argv, cwd=root, env=env, capture_output=True, timeout=PLAIN_TIMEOUT_S, check=False
        )
    verdicts: dict[str, bool] = {}
    for line in done.stdout.decode(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        test, action = event.get("Test"), event.get("Action")
        if not isinstance(test, str) or "/" in test:
            continue
        if action == "run":
            verdicts[test] = False  # started: a test the binary died in never ends, and failed
        elif action in ("pass", "fail"):
            verdicts[test] = action == "pass"
    return verdicts


def cases() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in job_exams("go-tasks"):
        task = get_exam(name)
        assert isinstance(task, GoTask)
        found += [(name, c.name) for c in task.qualification_cases() if not c.name.startswith("hostile:")]
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("item", "case_name"), cases())
def test_per_test_verdicts_equal_a_plain_go_test(
    go_toolchain: GoToolchain, item: str, case_name: str
) -> None:
    task = get_exam(item)
    assert isinstance(task, GoTask)
    case = next(c for c in task.qualification_cases() if c.name == case_name)
    source = extract_files(task.normalize_response(case.response_text), task.expected_files).files[
        task.task.file_name
    ]
    plain = plain_verdicts(go_toolchain, task, source)
    assert plain, "the plain go test started no test"
    graded = {c.name: c.passed for c in exams.grade(item, case.response_text).checks}
    assert {name: graded[name] for name in plain} == plain
