"""Exams as folders: discovery (packaged and EXAMS_DIR), manifests, `exams list|new|verify`, expansion."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import exams
from exams import registry
from exams.golang import GoToolchain
from exams.manifest import ManifestError
from exams.registry import get_exam, get_manifest, job_exams, list_exams
from exams.types import UnknownExamError, Verdict
from scheduler.cli.exams import main


@pytest.fixture
def exams_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty EXAMS_DIR, with the registry's caches cleared around the test."""
    folder = tmp_path / "my-exams"
    folder.mkdir()
    monkeypatch.setenv("EXAMS_DIR", str(folder))
    registry._discover.cache_clear()
    registry._grader.cache_clear()
    yield folder
    registry._discover.cache_clear()
    registry._grader.cache_clear()


def run(*args: str) -> tuple[int, str]:
    """Run `exams ARGS` through its console entry point; (exit status, stdout and stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), pytest.raises(SystemExit) as exit_:
        main(list(args))
    return int(exit_.value.code or 0), out.getvalue()


def test_the_packaged_exams_are_three_folders_with_their_manifests() -> None:
    assert list_exams() == ["go-tasks", "v1", "v2"]
    for name, full_marks in (("v1", 15), ("v2", 10)):
        manifest = get_manifest(name)
        assert manifest.max_score == full_marks == get_exam(name).max_score
        assert not manifest.items and job_exams(name) == [name]


def test_a_manifest_is_not_part_of_the_grader_version(tmp_path: Path) -> None:
    # v1 and v2 became folders with a manifest: their stored grades must stay current.
    for name in ("v1", "v2"):
        folder = get_manifest(name).folder
        copy = tmp_path / name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("exam.toml", "__pycache__"))
        assert get_exam(name).grader_version == f"{name}-" + registry.grader_version_of(copy)


def test_expansion_of_sweep_entries() -> None:
    tasks = job_exams("go-tasks")
    assert len(tasks) == get_manifest("go-tasks").max_score and all(t.startswith("go-tasks/") for t in tasks)
    assert job_exams("go-tasks:demo") == [f"go-tasks/{t}" for t in get_manifest("go-tasks").sets["demo"]]
    assert job_exams("go-tasks/lru") == ["go-tasks/lru"]
    for entry, message in (
        ("go-tasks:nope", "has no set 'nope'"),
        ("go-tasks/nope", "has no item 'nope'"),
        ("v1/x", "has no items"),
        ("v7", "unknown exam 'v7'"),
    ):
        with pytest.raises(UnknownExamError, match=message):
            job_exams(entry)
    with pytest.raises(UnknownExamError, match="name one, e.g. go-tasks/"):
        get_exam("go-tasks")


def test_sets_by_difficulty_and_topic_come_from_the_tasks(exams_dir: Path) -> None:
    run("new", "my-go")
    assert job_exams("my-go:easy") == job_exams("my-go:algorithms") == ["my-go/sum"]
    with pytest.raises(UnknownExamError, match="has no set 'hard'; sets: algorithms, demo, easy, quick$"):
        job_exams("my-go:hard")
    hard = [t for t in job_exams("go-tasks") if get_exam(t).task.difficulty == "hard"]  # type: ignore[attr-defined]
    assert job_exams("go-tasks:hard") == hard and hard
    manifest = exams_dir / "my-go" / "exam.toml"
    manifest.write_text(manifest.read_text().replace('demo = ["sum"]', 'demo = ["sum"]\neasy = ["sum"]'))
    registry._discover.cache_clear()
    registry._grader.cache_clear()
    code, out = run("verify", "--exam", "my-go:demo")
    assert code != 0 and out.count("\n") == 1, out
    assert (
        out
        == f"exams: error: {manifest}: [sets] easy is also a set derived from the items (by difficulty or topic); rename it\n"
    )


def test_list_shows_every_exam_and_the_sets() -> None:
    code, out = run("list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].startswith(f"go-tasks\tmax {get_manifest('go-tasks').max_score:g}\t")
    assert any(line.startswith("v1\tmax 15\t1 response\t") for line in lines)
    assert any(line.startswith("  set go-tasks:demo\t") for line in lines)


def test_new_lays_out_an_exam_that_list_finds_and_the_gate_passes(
    exams_dir: Path, go_toolchain: GoToolchain
) -> None:
    code, out = run("new", "my-go")
    assert code == 0 and (exams_dir / "my-go" / "exam.toml").is_file(), out
    code, out = run("list")
    assert any(line.startswith("my-go\tmax 1\t1 items\t") for line in out.splitlines()), out
    code, out = run("verify", "--exam", "my-go")
    # the reference, its second solution, two known-bad solutions and six hostile answers
    # (exams/gotest/template/hostile)
    assert code == 0 and out.splitlines()[-1] == "10/10 cases as expected over 1 repeat(s)", out
    assert any(line.split()[1:2] == ["alt/recursive.go"] for line in out.splitlines()), out
    assert sum("hostile:" in line for line in out.splitlines()) == 6, out
    grade = exams.grade("my-go/sum", "```go\npackage sum\nfunc Sum(xs []int) int { return 0 }\n```\n")
    assert (grade.score, grade.verdict) == (0.5, Verdict.TEST_FAIL)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "v1"), "exams: error: an exam named 'v1' already exists"),
        (("new", "Bad Name"), "exams: error: exam name 'Bad Name': use lower-case letters"),
        (("verify", "--exam", "go-tasks:nope"), "exams: error: exam 'go-tasks' has no set 'nope'"),
        (("prompt", "--exam", "go-tasks"), "exams: error: exam 'go-tasks' is"),
    ],
)
def test_bad_input_prints_one_line(args: tuple[str, ...], message: str, exams_dir: Path) -> None:
    code, out = run(*args)
    assert code != 0 and out.startswith(message) and out.count("\n") == 1, out


def test_new_without_a_folder_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXAMS_DIR", raising=False)
    code, out = run("new", "mine")
    assert code != 0 and out == "exams: error: set EXAMS_DIR to the folder of your exams, or pass --dir\n"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("max_score = 1", "max_score = 3"), "max_score is 3 but the exam has 1 tasks"),
        (('grader = "gotest"', 'grader = "nowhere:EXAM"'), "grader 'nowhere:EXAM' does not import"),
        (('name = "my-go"', 'name = "other"'), "name 'other' must equal the folder's name 'my-go'"),
        (('name = "my-go"', 'colour = 3\nname = "my-go"'), "unknown key(s) colour"),
        (
            ("build_s = 120", "build_s = 120\nrun_s = 5"),
            "unknown [limits] run_s; gotest reads build_s, test_timeout_s",
        ),
        (('demo = ["sum"]', 'demo = ["sum", "product"]'), "set 'demo' names unknown item(s) product"),
    ],
)
def test_a_malformed_manifest_is_one_line_naming_the_file(
    exams_dir: Path, edit: tuple[str, str], message: str
) -> None:
    run("new", "my-go")
    manifest = exams_dir / "my-go" / "exam.toml"
    manifest.write_text(manifest.read_text().replace(*edit))
    registry._discover.cache_clear()
    with pytest.raises(ManifestError, match=str(manifest)):
        get_exam("my-go/sum")
    code, out = run("verify", "--exam", "my-go")
    assert code != 0 and message in out and out.count("\n") == 1, out


def test_a_tasks_grader_version_follows_only_what_grading_reads(exams_dir: Path) -> None:
    run("new", "my-go")
    folder = exams_dir / "my-go"
    versions: list[str] = []

    def edit(path: Path, old: str, new: str) -> None:
        path.write_text(path.read_text().replace(old, new))
        registry._discover.cache_clear()
        registry._grader.cache_clear()
        versions.append(get_exam("my-go/sum").grader_version)

    edit(folder / "exam.toml", "", "")
    task = folder / "tasks" / "sum"
    # Metadata and the gate's own cases: the same version.
    edit(task / "task.toml", 'topics = ["algorithms"]', 'topics = ["algorithms", "strings"]')
    edit(task / "bad" / "abs.go", "max(x, -x)", "max(-x, x)")
    edit(task / "alt" / "recursive.go", "Sum returns", "Sum adds")
    edit(folder / "exam.toml", 'demo = ["sum"]', 'demo = ["sum"]\nsmall = ["sum"]')
    assert len(set(versions)) == 1, versions
    # What grading reads: a new version each time.
    edit(task / "task_test.go", "{5, -2, -3}", "{5, -2, -3, 0}")
    edit(task / "task.toml", 'package = "sum"', 'package = "sum"\nrace = true')
    edit(folder / "exam.toml", "test_timeout_s = 20", "test_timeout_s = 25")
    assert len(set(versions)) == 4, versions


def test_an_alternative_solution_that_fails_a_test_fails_the_gate(
    exams_dir: Path, go_toolchain: GoToolchain
) -> None:
    # A second correct solution failing a test means the test asks more than the prompt says.
    run("new", "my-go")
    alt = exams_dir / "my-go" / "tasks" / "sum" / "alt" / "recursive.go"
    alt.write_text(alt.read_text().replace("return 0\n", "return 0\n\t}\n\tif xs[0] < 0 {\n\t\treturn -1\n"))
    code, out = run("verify", "--exam", "my-go")
    failing = [line for line in out.splitlines() if line.endswith("FAIL")]
    assert code != 0 and out.splitlines()[-1] == "9/10 cases as expected over 1 repeat(s)", out
    assert len(failing) == 1 and failing[0].split()[:2] == ["my-go/sum", "alt/recursive.go"], out
    assert "check TestSumNegative passed=False, expected True" in out and "check TestSum " not in out


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('topics = ["algorithms"]', 'topics = ["algorithms", "maths"]'),
            "unknown topic 'maths'; use one of: ",
        ),
        (('file = "alt/recursive.go"', 'file = "alt/missing.go"'), "alt[0]: file "),
    ],
)
def test_a_malformed_task_is_one_line_naming_the_task(
    exams_dir: Path, edit: tuple[str, str], message: str
) -> None:
    run("new", "my-go")
    task_toml = exams_dir / "my-go" / "tasks" / "sum" / "task.toml"
    task_toml.write_text(task_toml.read_text().replace(*edit))
    code, out = run("verify", "--exam", "my-go")
    assert code != 0 and out.startswith(f"exams: error: {task_toml}: ") and out.count("\n") == 1, out
    assert message in out, out


def test_a_time_limit_of_ours_is_grader_error_not_the_models(
    exams_dir: Path, go_toolchain: GoToolchain
) -> None:
    run("new", "my-go")
    manifest = exams_dir / "my-go" / "exam.toml"
    manifest.write_text(manifest.read_text().replace("build_s = 120", "build_s = 0.01"))
    registry._discover.cache_clear()
    grade = exams.grade("my-go/sum", "```go\npackage sum\nfunc Sum(xs []int) int { return 0 }\n```\n")
    assert (grade.verdict, grade.score, grade.checks) == (Verdict.GRADER_ERROR, 0, [])


def test_a_hang_costs_only_the_test_that_hung(exams_dir: Path, go_toolchain: GoToolchain) -> None:
    run("new", "my-go")
    manifest = exams_dir / "my-go" / "exam.toml"
    manifest.write_text(manifest.read_text().replace("test_timeout_s = 20", "test_timeout_s = 3"))
    registry._discover.cache_clear()
    hangs_on_one = (
        "package sum\nfunc Sum(xs []int) int {\n\tt := 0\n\tfor len(xs) == 1 {\n\t}\n"
        "\tfor _, x := range xs {\n\t\tt += x\n\t}\n\treturn t\n}\n"
    )
    grade = exams.grade("my-go/sum", f"```go\n{hangs_on_one}```\n")
    checks = {c.name: (c.passed, c.detail) for c in grade.checks}
    assert checks["TestSumNegative"] == (True, "passed")
    assert checks["TestSum"][0] is False and "test timed out" in checks["TestSum"][1]
    assert (grade.score, grade.verdict) == (0.5, Verdict.TEST_FAIL)
