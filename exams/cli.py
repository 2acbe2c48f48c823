"""The `exams` command: list exams, show a prompt, grade a raw response, run the gate, lay out a new exam."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from exams import grade
from exams.registry import EXAMS_DIR_ENV, exam_sets, get_exam, get_manifest, job_exams, list_exams
from exams.scaffold import create_exam
from exams.types import ExamError
from exams.verify import CaseResult, verify_exam


def _exam(name: str) -> str:
    get_exam(name)  # ExamError names the unknown exam
    return name


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quantsweep")
def cli() -> None:
    """Go coding exams: prompts, grading and the grader qualification gate."""


# The console script `exams` runs `cli` through quantsweep's one runner: scheduler/cli/exams.py.


@cli.command("list")
@click.option("--items", "show_items", is_flag=True, help="also list each exam's items (one job each)")
def list_command(show_items: bool) -> None:
    """List the exams found (packaged and under EXAMS_DIR): maximum score, items, title, folder."""
    for name in list_exams():
        manifest = get_manifest(name)
        parts = f"{len(manifest.items)} items" if manifest.items else "1 response"
        click.echo(f"{name}\tmax {manifest.max_score:g}\t{parts}\t{manifest.title}\t{manifest.folder}")
        if show_items:
            for item in manifest.items:
                exam = get_exam(f"{name}/{item}")
                click.echo(f"  {exam.name}\t{exam.grader_version}")
        for set_name, members in exam_sets(name).items():
            click.echo(f"  set {name}:{set_name}\t{', '.join(members)}")


@cli.command()
@click.option("--exam", "exam_name", required=True, help="exam name, e.g. v1")
def prompt(exam_name: str) -> None:
    """Print the exact prompt of an exam."""
    click.echo(get_exam(_exam(exam_name)).prompt(), nl=False)


@cli.command("grade")
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
        raise ExamError(f"cannot read {response_file}: {exc.strerror}") from None
    result = grade(exam_name, text, finish_reason=finish_reason)
    if as_json:
        click.echo(json.dumps(result.to_json()))
        return
    # An infrastructure or grader verdict carries a stored 0 that is not the model's score.
    score = f"{result.score:g}/{result.max_score:g}" if result.verdict.is_model_outcome else "no score,"
    click.echo(f"{result.exam}: {score} {result.verdict.value} ({result.duration_s:.2f}s)")
    for check in result.checks:
        mark = "PASS" if check.passed else "FAIL"
        click.echo(f"  {mark} {check.name:22s} {check.points:g}/{check.max_points:g}  {check.detail}")
    if result.log and not result.checks:
        click.echo(result.log.strip().splitlines()[-1])


@cli.command()
@click.option(
    "--exam",
    "exam_names",
    multiple=True,
    help="exam, item (go-tasks/lru) or set (go-tasks:demo); default: all",
)
@click.option("--repeat", default=1, type=click.IntRange(min=1), help="grade each case this many times")
def verify(exam_names: tuple[str, ...], repeat: int) -> None:
    """Grade every reference and known-bad solution; fail on any unexpected or flipping grade."""
    names = [job for entry in exam_names or list_exams() for job in job_exams(entry)]
    width = max(len(n) for n in names)
    failed = 0

    def show(result: CaseResult) -> None:
        nonlocal failed
        scores = ",".join(f"{g.score:g}" for g in result.grades)
        verdicts = sorted({g.verdict.value for g in result.grades})
        seconds = sum(g.duration_s for g in result.grades) / len(result.grades)
        status = "ok" if result.passed else "FAIL"
        failed += not result.passed
        click.echo(
            f"{result.exam:{width}s} {result.case.name:28s} expect {result.case.expected_score:>4g} "
            f"got {scores:18s} {'/'.join(verdicts):14s} {seconds:5.2f}s  {status}"
        )
        for problem in result.problems[:5]:
            click.echo(f"     - {problem}")

    total = 0
    for name in names:
        total += len(verify_exam(name, repeat=repeat, on_result=show))
    click.echo(f"{total - failed}/{total} cases as expected over {repeat} repeat(s)")
    if failed:
        sys.exit(1)


@cli.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(path_type=Path),
    default=None,
    help=f"folder to create the exam in (default: the first {EXAMS_DIR_ENV} folder)",
)
def new_command(name: str, parent: Path | None) -> None:
    """Lay out a new exam NAME: a gotest exam with one example task that passes `exams verify`."""
    if parent is None:
        first = next((p for p in os.environ.get(EXAMS_DIR_ENV, "").split(os.pathsep) if p), None)
        if first is None:
            raise ExamError(f"set {EXAMS_DIR_ENV} to the folder of your exams, or pass --dir")
        parent = Path(first)
    folder = create_exam(name, parent)
    click.echo(
        f"created {folder}: edit tasks/, then `exams verify --exam {name}` (with {EXAMS_DIR_ENV}={parent})"
    )
