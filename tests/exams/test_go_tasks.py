"""Exam go-tasks: its tasks' files, the gotest grader's rules, and the qualification gate over all tasks."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain
from exams.gotest import estimate
from exams.gotest.exam import GoTask
from exams.registry import exam_prompt, exam_sets, get_exam, get_manifest, job_exams
from exams.types import PromptStyle, Verdict
from tests.support.exams_cli import run_exams

TASKS = job_exams("go-tasks")
README = (get_manifest("go-tasks").folder / "README.md").read_text()


def task(name: str) -> GoTask:
    exam = get_exam(f"go-tasks/{name}")
    assert isinstance(exam, GoTask)
    return exam


def test_go_tasks_has_at_least_24_tasks_over_every_difficulty() -> None:
    difficulties = {task(t.partition("/")[2]).task.difficulty for t in TASKS}
    assert len(TASKS) >= 24 and difficulties == {"easy", "medium", "hard"}
    assert get_manifest("go-tasks").max_score == len(TASKS)


@pytest.mark.parametrize("name", [t.partition("/")[2] for t in TASKS])
def test_each_task_documents_its_checks_and_names_real_tests(name: str) -> None:
    t = task(name).task
    assert len(t.bad) >= 2
    row = next(line for line in README.splitlines() if line.startswith(f"| `{name}` | {t.difficulty} |"))
    assert all(test in row for test in t.test_names), row
    for bad in t.bad:
        assert set(bad.fails) < set(t.test_names), bad  # fails some tests, never all
        assert f"| `{name}` | `{bad.file.name}` |" in README
    for alt in t.alt:
        assert f"| `{name}` | {', '.join(t.topics)} | `{alt.file.name}` |" in README
    prompt = task(name).prompt()
    assert f"#START {t.file_name}#" in prompt and f"package `{t.package}`" in prompt


def test_no_hidden_test_reads_the_wall_clock() -> None:
    for name in TASKS:
        source = task(name.partition("/")[2]).task.test_source()
        assert not re.search(r"time\.(Now|Since|Sleep|After|Tick|NewTimer)\(", source), name


def fenced(source: str) -> str:
    """A response as small models often write it: prose, then a plain fence, no markers."""
    return f"Here is the solution.\n\n```go\n{source}```\n\nIt handles every case.\n"


def test_a_fenced_answer_in_package_main_is_graded_as_the_tasks_package(go_toolchain: GoToolchain) -> None:
    reference = task("truncate").task.reference().replace("package truncate", "package main")
    grade = exams.grade("go-tasks/truncate", fenced(reference))
    assert (grade.score, grade.verdict, grade.max_score) == (1.0, Verdict.OK, 1.0)


def test_a_panic_costs_only_the_test_that_ran_it(go_toolchain: GoToolchain) -> None:
    source = (
        task("reverse")
        .task.reference()
        .replace("\tr := []rune(s)\n", '\tif s == "" {\n\t\tpanic("empty")\n\t}\n\tr := []rune(s)\n', 1)
    )
    grade = exams.grade("go-tasks/reverse", fenced(source))
    failed = {c.name: c.detail for c in grade.checks if not c.passed}
    assert list(failed) == ["TestReverseASCII"] and "panic: empty" in failed["TestReverseASCII"]
    assert (grade.score, grade.verdict) == (0.8, Verdict.TEST_FAIL)


def test_a_wrong_api_is_the_models_compile_fail(go_toolchain: GoToolchain) -> None:
    source = (
        task("truncate")
        .task.reference()
        .replace("func Truncate(s string, n int)", "func Truncate(n int, s string)")
    )
    grade = exams.grade("go-tasks/truncate", fenced(source))
    assert (grade.score, grade.verdict, grade.compiled) == (0.0, Verdict.COMPILE_FAIL, False)
    assert len(grade.checks) == len(task("truncate").task.test_names) and not any(
        c.passed for c in grade.checks
    )


def test_no_code_is_extract_fail() -> None:
    grade = exams.grade("go-tasks/roman", "I would use a lookup table.")
    assert (grade.score, grade.verdict) == (0.0, Verdict.EXTRACT_FAIL)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_gate_passes_for_every_go_task(go_toolchain: GoToolchain) -> None:
    code, out = run_exams("verify", "--exam", "go-tasks")
    hostile = len(get_manifest("go-tasks").hostile)
    cases = (
        sum(
            1 + len(task(t.partition("/")[2]).task.alt) + len(task(t.partition("/")[2]).task.bad)
            for t in TASKS
        )
        + hostile
    )
    assert code == 0, out
    assert out.splitlines()[-1] == f"{cases}/{cases} cases as expected over 1 repeat(s)"
    assert sum(" hostile:" in line for line in out.splitlines()) == hostile >= 13


def test_every_task_folder_is_an_item(tmp_path: Path) -> None:
    folder = get_manifest("go-tasks").folder / "tasks"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(
        t.partition("/")[2] for t in TASKS
    )


def test_the_estimates_constants_are_the_articles_measurements(article_results: Path) -> None:
    files = sorted(article_results.glob("exam_v*/*/seed*/result.json"))
    results = [json.loads(p.read_text()) for p in files]
    v1 = [r for p, r in zip(files, results, strict=True) if p.parts[-4] == "exam_v1"]
    v1_reference = sum(len(p.read_text()) for p in (get_manifest("v1").folder / "solutions").glob("*.go"))
    assert len(results) == 66 and len(v1) == 33
    factor = statistics.mean(r["tokens"] for r in v1) / v1_reference
    decode = statistics.median(r["tps"] for r in results)
    other = statistics.mean(r["wall_s"] - r["tokens"] / r["tps"] for r in results)
    assert round(factor, 2) == estimate.ANSWER_TOKENS_PER_REFERENCE_CHAR
    assert round(decode, 1) == estimate.DECODE_TOKENS_PER_S
    assert round(other, 1) == estimate.OTHER_S_PER_ANSWER


def test_quick_is_the_most_tasks_that_fit_the_hour_balanced_across_difficulty() -> None:
    tasks = [task(t.partition("/")[2]).task for t in TASKS]
    quick = exam_sets("go-tasks")["quick"]
    assert job_exams("go-tasks:quick") == [f"go-tasks/{n}" for n in quick]
    spent = sum(estimate.generation_s(t) for t in tasks if t.name in quick)
    assert spent <= estimate.QUICK_BUDGET_S
    assert len(quick) == len(tasks) or spent > estimate.QUICK_BUDGET_S - max(
        map(estimate.generation_s, tasks)
    )
    # A smaller budget: a strict subset whose difficulties follow the shares of the pool.
    budget = estimate.QUICK_BUDGET_S / 6
    small = estimate.quick_set(tasks, budget)
    chosen = [t for t in tasks if t.name in small]
    assert 3 < len(chosen) < len(tasks) and sum(map(estimate.generation_s, chosen)) <= budget
    for difficulty in ("easy", "medium", "hard"):
        share = sum(t.difficulty == difficulty for t in tasks) / len(tasks)
        assert abs(sum(t.difficulty == difficulty for t in chosen) - share * len(chosen)) <= 1, difficulty


def after_package_clause(source: str) -> str:
    """What a model continuing the file start writes: the file after its package clause."""
    return source.split("\n", 1)[1]


@pytest.mark.parametrize("name", [t.partition("/")[2] for t in TASKS])
def test_each_tasks_completion_prompt_is_its_api_as_a_doc_comment_before_its_package_clause(
    name: str,
) -> None:
    t = task(name)
    prompt = exam_prompt(t.name, PromptStyle.COMPLETION)
    assert prompt.style is PromptStyle.COMPLETION and prompt.stop and "\npackage " in prompt.stop
    lines = prompt.text.rstrip("\n").splitlines()
    assert lines[-1] == f"package {t.task.package}" and prompt.text.endswith("\n\n")
    assert all(line.startswith("//") for line in lines[:-1])  # only comments before the clause
    signatures = re.findall(r"^func .*$", t.task.prompt(), flags=re.MULTILINE)
    assert signatures and all(f"//\t{signature}" in lines for signature in signatures)
    assert exam_prompt(t.name, PromptStyle.CHAT).text == t.prompt()


def test_a_completion_is_graded_as_the_file_start_followed_by_the_continuation(
    go_toolchain: GoToolchain,
) -> None:
    reverse = task("reverse").task
    right = exams.grade("go-tasks/reverse", after_package_clause(reverse.reference()), "stop", "completion")
    assert (right.verdict, right.score) == (Verdict.OK, 1.0)
    bad = next(b for b in reverse.bad if b.file.name == "keeps_punctuation.go")
    wrong = exams.grade("go-tasks/reverse", after_package_clause(bad.file.read_text()), "stop", "completion")
    assert wrong.verdict == Verdict.TEST_FAIL
    assert {c.name for c in wrong.checks if not c.passed} == set(bad.fails)
    # Read as a chat answer the same text holds no file: the style decides what is graded.
    assert (
        exams.grade("go-tasks/reverse", after_package_clause(reverse.reference())).verdict
        == Verdict.EXTRACT_FAIL
    )
    unfinished = exams.grade(
        "go-tasks/reverse", "func Reverse(s string) string {\n\treturn s\n", "stop", "completion"
    )
    assert unfinished.verdict == Verdict.COMPILE_FAIL and "syntax error: unexpected EOF" in unfinished.log
    # Cut at max_tokens: graded up to its last whole declaration, as a base model writes on past
    # the API; when what is whole does not build, the cut spoiled it and it is truncated (infra).
    rambling = (
        after_package_clause(reverse.reference()) + "\n// Reverse2 reverses twice.\nfunc Reverse2(s string"
    )
    kept = exams.grade("go-tasks/reverse", rambling, "length", "completion")
    assert (kept.verdict, kept.score) == (
        Verdict.OK,
        1.0,
    ) and "graded up to its last whole declaration" in kept.log
    first_half = (
        after_package_clause(reverse.reference()).split("func IsPalindrome")[0] + "func IsPalindrome("
    )
    cut = exams.grade("go-tasks/reverse", first_half, "length", "completion")
    assert cut.verdict == Verdict.TRUNCATED and not cut.verdict.is_model_outcome
    assert "which spoiled the code" in cut.log
    # A syntax error well before the cut (a base model looping inside its imports) is the model's.
    looping = 'import (\n\t"fmt"\n\n\tapp, err := fmt.Sprint(\n' + '\t\tapp.log("error"),\n' * 40
    broken = exams.grade("go-tasks/reverse", looping, "length", "completion")
    assert broken.verdict == Verdict.COMPILE_FAIL and "syntax error" in broken.log
    assert "a syntax error before the cut is the model's" in broken.log
    nothing_whole = exams.grade("go-tasks/reverse", 'import (\n\t"unicode"', "length", "completion")
    assert nothing_whole.verdict == Verdict.TRUNCATED


def test_a_tasks_own_start_file_replaces_the_derived_file_start(tmp_path: Path) -> None:
    from dataclasses import replace

    folder = tmp_path / "reverse"
    folder.mkdir()
    (folder / "prompt.md").write_text(task("reverse").task.prompt())
    derived = replace(task("reverse").task, folder=folder)
    assert derived.file_start().startswith("// Package reverse: ")
    (folder / "start.go").write_text('package reverse\n\nimport "unicode"\n\n')
    assert derived.file_start() == 'package reverse\n\nimport "unicode"\n\n'
