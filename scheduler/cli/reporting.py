"""The `scheduler` commands that read results back: report, status, export, import, import-article,
regrade. Thin wrappers: each command's logic lives in its own module."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler.core.settings import get_settings


@click.command("report")
@click.option("--sweep", "sweep_name", required=True, help="The sweep's name in the database.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "csv", "json", "html"]),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@click.option(
    "--grades",
    type=click.Choice(["auto", "ours", "external"]),
    default="auto",
    show_default=True,
    help="Which grade the tables use: ours when present (auto), only ours, or only imported ones.",
)
def report_command(sweep_name: str, fmt: str, out: Path | None, grades: str) -> None:
    """The article's tables and what it lacked, for one sweep."""
    from scheduler.db import connect
    from scheduler.reports import GradeChoice, ReportFormat, build_report, render, write_report

    with connect(get_settings()) as conn:
        report = build_report(conn, sweep_name, GradeChoice(grades))
    write_report(render(report, ReportFormat(fmt)), out)


@click.command("import-article")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--sweep", "sweep_name", default="article", show_default=True, help="The sweep to load them as."
)
@click.option("--replace", is_flag=True, help="Drop an existing sweep of that name first.")
def import_article_command(directory: Path, sweep_name: str, replace: bool) -> None:
    """Load the article's published results (exam_vN/<model>/seed<S>/) as a sweep."""
    from scheduler.db import connect
    from scheduler.reports.article import import_article
    from scheduler.sweeps.catalog import load_catalog

    settings = get_settings()
    catalog = load_catalog(settings.sweeps_dir)
    with connect(settings) as conn:
        summary = import_article(conn, directory, sweep_name, catalog, replace=replace)
    for line in summary.lines():
        click.echo(line)


@click.command("health")
@click.option("--sweep", "sweep_name", required=True, help="The sweep's name in the database.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Output format.",
)
def health_command(sweep_name: str, fmt: str) -> None:
    """The exam's own health on a sweep: task discrimination, dead tasks, split-half rank stability,
    the noise floor and the cost of a decision (the report's health section alone)."""
    from dataclasses import replace

    from scheduler.db import connect
    from scheduler.reports import GradeChoice, ReportFormat, build_report, render, write_report

    with connect(get_settings()) as conn:
        report = build_report(conn, sweep_name, GradeChoice.AUTO)
    health = replace(report, tables=[t for t in report.tables if t.id.startswith("health-")])
    write_report(render(health, ReportFormat(fmt)), None)


@click.command("export")
@click.option("--sweep", "sweep_name", required=True, help="The sweep's name in the database.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export_command(sweep_name: str, out: Path | None) -> None:
    """Write a sweep's jobs, responses and grades as JSONL (one job a line)."""
    import io

    from scheduler.db import connect
    from scheduler.reports import write_report
    from scheduler.reports.exchange import write_export

    buffer = io.StringIO()
    with connect(get_settings()) as conn:
        write_export(conn, sweep_name, buffer)
    write_report(buffer.getvalue(), out)


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sweep", "sweep_name", help="Import under this sweep name instead of the exported one.")
def import_command(path: Path, sweep_name: str | None) -> None:
    """Load a `scheduler export` JSONL file (the sweep must not exist yet)."""
    from scheduler.db import connect
    from scheduler.reports.exchange import import_lines, read_export

    lines = read_export(path)
    with connect(get_settings()) as conn:
        counts = import_lines(conn, lines, sweep_name)
    for name, n in counts.items():
        click.echo(f"imported {n} jobs into sweep {name!r}")


@click.command("regrade")
@click.option("--sweep", "sweep_name", required=True, help="The sweep whose stored responses to grade.")
@click.option(
    "--local", is_flag=True, help="Grade in this process instead of on the CPU workers (no worker needed)."
)
@click.option("--force", is_flag=True, help="Grade again even where the current grader already did.")
@click.option(
    "--wait", "wait_s", type=float, default=None, help="Wait up to this many seconds for the CPU workers."
)
def regrade_command(sweep_name: str, local: bool, force: bool, wait_s: float | None) -> None:
    """Grade the sweep's stored responses again with the current graders (no generation)."""
    from scheduler.db import connect
    from scheduler.results.regrade import grade_locally, plan_regrade, send_regrade, wait_for_grades

    settings = get_settings()
    with connect(settings) as conn:
        plan = plan_regrade(conn, sweep_name, force=force)
        conn.rollback()
        for line in plan.lines():
            click.echo(line)
        if local:
            stored = grade_locally(
                conn,
                plan,
                worker_name=f"local@{settings.worker_host}",
                progress=lambda item, verdict: click.echo(
                    f"graded job {item.job_id} ({item.exam})"
                    f"{f' turn {item.turn}' if item.turn > 1 else ''}: {verdict}"
                ),
            )
            click.echo(f"stored {stored} grades")
            return
    sent = send_regrade(settings, plan)
    click.echo(f"sent {sent} grade messages to queue cpu")
    if wait_s is not None and sent:
        done = wait_for_grades(settings, plan, wait_s)
        click.echo(f"{done}/{sent} graded")
        if done < sent:
            raise click.ClickException(
                f"only {done} of {sent} grades stored within {wait_s:g} s; is a cpu worker running?"
            )


@click.command("status")
@click.option("--sweep", "sweep_name", default=None, help="Only this sweep (default: every job).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--watch", "watching", is_flag=True, help="Keep showing progress until every job is done.")
@click.option(
    "--interval", "interval_s", type=float, default=2.0, show_default=True, help="Seconds between updates."
)
def status_command(sweep_name: str | None, as_json: bool, watching: bool, interval_s: float) -> None:
    """Jobs per state and machine, the model on each GPU machine, throughput and ETA."""
    from scheduler.cli import status

    settings = get_settings()
    if watching and not as_json:
        status.watch(settings, sweep_name, interval_s=interval_s)
    else:
        status.show(settings, sweep_name, as_json=as_json)


# Added to the `scheduler` group by scheduler/cli/__init__.py (an explicit list; nothing registers itself).
COMMANDS = (
    report_command,
    import_article_command,
    health_command,
    export_command,
    import_command,
    regrade_command,
    status_command,
)
