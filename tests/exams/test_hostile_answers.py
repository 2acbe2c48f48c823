"""Answers that forge, break or escape a grader (field cases 20, 21, 22, 31 and more of each kind).

The field cases' inputs are in data/field-cases (shared/reference/field-cases, written afresh from
public bug reports); each test asserts the right value of that README. The `[[hostile]]` answers of
every exam are graded by the gate tests (test_go_tasks.py, test_v1.py, test_v2.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain
from exams.gotest.exam import GoTask
from exams.gotest.guard import REPORT_FILE, TOKENS_FILE, tracked
from exams.gotest.task import load_task
from exams.manifest import ManifestError
from exams.registry import get_exam
from exams.sandbox import RunResult, isolation_available
from exams.types import Verdict
from tests.support.availability import require_service

CASES = Path(__file__).parent / "data" / "field-cases"


def grade(item: str, text: str) -> exams.Grade:
    return exams.grade(f"go-tasks/{item}", text)


def test_case_20_framed_pass_lines_score_what_the_code_earns(go_toolchain: GoToolchain) -> None:
    forged = grade("reverse", (CASES / "20-fake-test2json-pass.txt").read_text())
    control = grade("reverse", (CASES / "20b-control-no-claim.txt").read_text())
    assert (forged.verdict, forged.score) == (Verdict.TEST_FAIL, 0.0)
    assert [c.passed for c in forged.checks] == [c.passed for c in control.checks]
    assert control.score == 0.0


def test_case_21_a_hang_in_init_is_the_answers_test_fail_not_grader_error(
    go_toolchain: GoToolchain, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = get_exam("go-tasks/upper")
    assert isinstance(task, GoTask)
    monkeypatch.setattr(task.suite, "test_timeout_s", 2.0)  # our wall-clock limit: 27 s, not 45 s
    result = grade("upper", (CASES / "21-init-infinite-loop-byte.txt").read_text())
    assert (result.verdict, result.score) == (Verdict.TEST_FAIL, 0.0), result.log
    assert all("hung" in c.detail and "package init" in c.detail for c in result.checks), result.checks


def test_case_22_output_past_the_cap_is_cut_and_judged(go_toolchain: GoToolchain) -> None:
    result = grade("roman", (CASES / "22-debug-print-output-cap.txt").read_text())
    assert (result.verdict, result.score) == (Verdict.OK, 1.0), result.log


def test_case_31_a_write_to_run_lock_does_not_outlive_the_run(go_toolchain: GoToolchain) -> None:
    if not isolation_available():
        require_service("namespaces (private world-writable directories)", PermissionError("no isolation"))
    left = Path("/run/lock/qs-left-behind")
    left.unlink(missing_ok=True)
    result = grade("reverse", (CASES / "31-write-outside-workdir.txt").read_text())
    assert (result.verdict, result.score) == (Verdict.OK, 1.0), result.log
    assert not left.exists()


REVERSE_RIGHT = """
func Reverse(s string) string {
\tr := []rune(s)
\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
\t\tr[i], r[j] = r[j], r[i]
\t}
\treturn string(r)
}
"""


def test_a_pass_line_written_into_the_report_without_the_token_counts_for_nothing(
    go_toolchain: GoToolchain,
) -> None:
    """The answer runs as the uid that owns the report file and may write to it, but a pass needs
    the run's token of that test, which it cannot read (the tokens file is gone before its init)."""
    answer = f"""```go
package reverse

import (
\t"os"
\t"strings"
)

func init() {{
\ttokens, err := os.ReadFile("{TOKENS_FILE}")
\tf, _ := os.OpenFile("{REPORT_FILE}", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
\tfor _, t := range []string{{"TestPalindromeSimple", "TestPalindromePunctuation", "TestPalindromeUnicode"}} {{
\t\tf.WriteString("start " + t + "\\npass " + t + " " + strings.Repeat("0", 32) + "\\n")
\t\tif err == nil {{
\t\t\tf.WriteString("pass " + t + " " + string(tokens) + "\\n")
\t\t}}
\t}}
}}
{REVERSE_RIGHT}
func IsPalindrome(s string) bool {{ return false }}
```
"""
    result = grade("reverse", answer)
    passed = {c.name for c in result.checks if c.passed}
    assert passed == {"TestReverseASCII", "TestReverseMultibyte"}, result.checks


def test_a_panic_after_the_tests_cleanup_still_fails_that_test(go_toolchain: GoToolchain) -> None:
    """A test's cleanup runs before the framework fails a panicking test: its pass is held until
    the next test starts, which a panic prevents."""
    answer = (
        f"```go\npackage reverse\n{REVERSE_RIGHT}\nfunc IsPalindrome(s string) bool {{ panic(s) }}\n```\n"
    )
    result = grade("reverse", answer)
    assert (result.verdict, result.score) == (Verdict.TEST_FAIL, 0.4), result.checks
    assert all("panic" in c.detail for c in result.checks if not c.passed), result.checks


def test_hidden_tests_get_the_tracking_call_on_their_func_line() -> None:
    source = "package x_test\n\nfunc TestA(t *testing.T) {\n\tt.Log()\n}\n\nfunc helper(t *testing.T) {\n}\n"
    assert tracked(source).splitlines()[2] == "func TestA(t *testing.T) { quantsweepTrack(t)"
    assert tracked(source).count("quantsweepTrack") == 1
    assert tracked(source).count("\n") == source.count("\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("func TestMain(m *testing.M) {\n}\n\nfunc TestA(t *testing.T) {\n}\n", "defines TestMain"),
        ("func TestA(t *testing.T)\n{\n}\n", "on one line"),
    ],
)
def test_a_hidden_test_file_the_guard_cannot_track_is_refused(
    tmp_path: Path, body: str, message: str
) -> None:
    folder = tmp_path / "sum"
    template = Path(exams.__file__).parent / "gotest" / "template" / "tasks" / "sum"
    for path in template.rglob("*"):
        if path.is_file():
            target = folder / path.relative_to(template)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (folder / "task_test.go").write_text(f'package sum_test\n\nimport "testing"\n\n{body}')
    with pytest.raises(ManifestError, match=message):
        load_task(folder)
    assert load_task(template).test_names  # the template itself is fine


def result(**fields: object) -> RunResult:
    base: dict[str, object] = {"exit_code": None, "stdout": b"", "stderr": b"", "wall_limit_s": 45.0}
    return RunResult(**(base | fields))  # type: ignore[arg-type]


def test_a_hang_that_had_its_cpu_is_the_programs_on_a_busy_machine_a_starved_one_ours() -> None:
    busy_but_burnt = result(
        timed_out=True, duration_s=135.0, cpu_wait_s=100.0, cpu_run_s=25.0, cpu_charge_s=20.0
    )
    assert busy_but_burnt.grader_fault() is None
    starved = result(timed_out=True, duration_s=135.0, cpu_wait_s=100.0, cpu_run_s=8.0, cpu_charge_s=20.0)
    assert "overloaded" in (starved.grader_fault() or "")
    sleeper = result(timed_out=True, duration_s=45.5, cpu_wait_s=0.1, cpu_run_s=0.0, cpu_charge_s=20.0)
    assert sleeper.grader_fault() is None


def test_a_flood_past_the_cap_is_drained_not_killed_when_asked(workspace: exams.sandbox.Workspace) -> None:
    script = "head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2; exit 7"
    limits = exams.sandbox.RUN_LIMITS.with_(max_output_bytes=1 << 20, kill_past_output_cap=False)
    drained = workspace.run(["sh", "-c", script], limits=limits)
    assert (drained.exit_code, drained.output_capped, len(drained.stdout)) == (7, True, 1 << 20), drained
    killed = workspace.run(["sh", "-c", script], limits=limits.with_(kill_past_output_cap=True))
    assert killed.exit_code is None and killed.output_capped


def test_no_host_file_is_left_by_the_hostile_corpus() -> None:
    """The writes_everywhere answers' files: none may exist on the host after any grade."""
    for directory in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        left = [p for p in Path(directory).glob("qs-hostile-*left-behind")]
        assert left == [], left
    assert os.path.exists("/tmp")


def test_a_grades_disk_use_is_capped_and_freed() -> None:
    """Files of 1 MB each until the disk refuses: a workspace of 8 MiB takes fewer than 8."""
    if os.geteuid() != 0 or not isolation_available():
        require_service("root with namespaces (the workspace tmpfs)", PermissionError("no isolation"))
    script = "i=0; while head -c 1000000 /dev/zero > f$i 2>/dev/null; do i=$((i+1)); [ $i -gt 40 ] && break; done; echo $i"
    with exams.sandbox.Workspace(disk_bytes=8 << 20) as ws:
        written = int(ws.run(["sh", "-c", script]).stdout)
        root = ws.root
    assert 0 < written <= 8
    assert not root.exists()


def test_a_starved_run_killed_in_package_init_after_seconds_of_cpu_is_the_answers() -> None:
    """Field case 21 at load 17 on 2 cores: 135 s, most of them waiting for a CPU, 16 s of CPU,
    no test started. Package init of ours takes microseconds: that CPU went to the answer's init."""
    from exams.gotest.guard import Report
    from exams.gotest.runner import _init_hang

    starved = result(timed_out=True, duration_s=135.0, cpu_wait_s=110.0, cpu_run_s=16.0, cpu_charge_s=20.0)
    assert starved.grader_fault() is not None
    assert _init_hang(starved, Report())
    assert not _init_hang(starved, Report(started=["TestA"]))  # a test ran: the overload rule decides
    idle = result(timed_out=True, duration_s=135.0, cpu_wait_s=130.0, cpu_run_s=0.5, cpu_charge_s=20.0)
    assert not _init_hang(idle, Report())
