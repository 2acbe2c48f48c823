"""The `exams` command: list exams, show a prompt, grade a raw response, run the qualification gate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from exams import grade
from exams.registry import get_exam, list_exams
from exams.types import ExamError
from exams.verify import CaseResult, verify_exam


def _exam(name: str) -> str:
    try:
        get_exam(name)
    except ExamError as exc:
        raise click.ClickException(str(exc)) from None
    return name


@click.group()
@click.version_option(package_name="quantsweep")
def main() -> None:
    """Go coding exams: prompts, grading and the grader qualification gate."""


@main.command("list")
def list_command() -> None:
    """List the registered exams with their maximum score and grader version."""
    for name in list_exams():
        exam = get_exam(name)
        click.echo(f"{name}\tmax {exam.max_score:g}\tfiles {','.join(exam.expected_files)}\t{exam.grader_version}")


@main.command()
@click.option("--exam", "exam_name", required=True, help="exam name, e.g. v1")
def prompt(exam_name: str) -> None:
    """Print the exact prompt of an exam."""
    click.echo(get_exam(_exam(exam_name)).prompt(), nl=False)


@main.command("grade")
@click.option("--exam", "exam_name", required=True, help="exam name, e.g. v1")
@click.argument("response_file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the grade as one JSON object")
@click.option("--finish-reason", default=None, help="the generation's finish_reason (e.g. stop, length)")
def grade_command(exam_name: str, response_file: Path, as_json: bool, finish_reason: str | None) -> None:
    """Grade a raw model response (markers and all) with no database or queue."""
    _exam(exam_name)
    try:
        text = response_file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise click.ClickException(f"cannot read {response_file}: {exc.strerror}") from None
    result = grade(exam_name, text, finish_reason=finish_reason)
    if as_json:
        click.echo(json.dumps(result.to_json()))
        return
    click.echo(f"{result.exam}: {result.score:g}/{result.max_score:g} {result.verdict.value} ({result.duration_s:.2f}s)")
    for check in result.checks:
        mark = "PASS" if check.passed else "FAIL"
        click.echo(f"  {mark} {check.name:22s} {check.points:g}/{check.max_points:g}  {check.detail}")
    if result.log and not result.checks:
        click.echo(result.log.strip().splitlines()[-1])


@main.command()
@click.option("--exam", "exam_names", multiple=True, help="exam to verify (default: all registered)")
@click.option("--repeat", default=1, type=click.IntRange(min=1), help="grade each case this many times")
def verify(exam_names: tuple[str, ...], repeat: int) -> None:
    """Grade every reference and known-bad solution; fail on any unexpected or flipping grade."""
    names = [_exam(n) for n in exam_names] or list_exams()
    failed = 0

    def show(result: CaseResult) -> None:
        nonlocal failed
        scores = ",".join(f"{g.score:g}" for g in result.grades)
        verdicts = sorted({g.verdict.value for g in result.grades})
        seconds = sum(g.duration_s for g in result.grades) / len(result.grades)
        status = "ok" if result.passed else "FAIL"
        failed += not result.passed
        click.echo(
            f"{result.exam:4s} {result.case.name:36s} expect {result.case.expected_score:>4g} "
            f"got {scores:18s} {'/'.join(verdicts):14s} {seconds:5.2f}s  {status}"
        )
        for problem in result.problems[:5]:
            click.echo(f"     - {problem}")

    total = 0
    for name in names:
        results = verify_exam(name, repeat=repeat, on_result=show)
        total += len(results)
    click.echo(f"{total - failed}/{total} cases as expected over {repeat} repeat(s)")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
