"""The `scheduler` command: sweeps, submission, status, reports, export/import, and the database.

An operator's mistake (bad sweep file, unknown name, service down) prints one line on stderr and
exits 1; a bug keeps its traceback.
"""

from __future__ import annotations

import json
import sys

import click

from scheduler.core.console import console_main
from scheduler.core.errors import OperatorError, SweepFileError
from scheduler.core.settings import Settings, get_settings


def _settings() -> Settings:
    return get_settings()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quantsweep")
def cli() -> None:
    """Benchmark quantized local LLMs on Go exams across a fleet of machines."""


@cli.command("sweeps")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sweeps_command(as_json: bool) -> None:
    """List the sweep files with their job counts."""
    from scheduler.sweeps.commands import list_sweeps

    rows = list_sweeps(_settings())
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table("sweep", "models", "exams", "seeds", "jobs", "description")
        for row in rows:
            if "error" in row:
                table.add_row(row["name"], "-", "-", "-", "-", "unusable: " + escape(row["error"]))
                continue
            table.add_row(
                row["name"],
                str(len(row["models"])),
                ",".join(row["exams"]),
                ",".join(map(str, row["seeds"])),
                str(row["jobs"]),
                escape(row["description"]),
            )
        Console().print(table)
    broken = [row["name"] for row in rows if "error" in row]
    if broken:
        raise SweepFileError(
            f"{len(broken)} sweep file(s) cannot be used: {', '.join(broken)} (reasons listed above)"
        )


@cli.command("submit")
@click.option("--sweep", "sweep_name", required=True, help="The sweep file's name (see `scheduler sweeps`).")
@click.option("--dry-run", is_flag=True, help="List the jobs and what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--wait", is_flag=True, help="Show live progress until every job of the sweep is done.")
@click.option("--rerun", is_flag=True, help="Run finished jobs again (a new attempt; old ones are kept).")
@click.option(
    "--requeue",
    is_flag=True,
    help="Re-send the message of every job nothing holds: queued, generated, expired claims.",
)
def submit_command(
    sweep_name: str, dry_run: bool, as_json: bool, wait: bool, rerun: bool, requeue: bool
) -> None:
    """Expand a sweep into jobs, record them, and enqueue those without a result."""
    from scheduler.sweeps.commands import dry_run_jobs, submit_sweep

    settings = _settings()
    if dry_run:
        jobs = dry_run_jobs(settings, sweep_name, rerun=rerun, requeue=requeue)
        if as_json:
            click.echo(json.dumps(jobs, indent=2))
        else:
            for job in jobs:
                click.echo(f"{job['model']:<28} {job['exam']:<4} seed={job['seed']:<6} {job['action']}")
            if jobs and "why" in jobs[0]:
                click.echo(
                    f"{sweep_name}: {len(jobs)} jobs; not checked against the database, so which would be "
                    f"enqueued is unknown ({jobs[0]['why']})"
                )
            else:
                click.echo(
                    f"{sweep_name}: {len(jobs)} jobs, "
                    f"{sum(j['action'] in ('new', 'enqueue', 'regrade') for j in jobs)} would be enqueued"
                )
        return
    result = submit_sweep(settings, sweep_name, rerun=rerun, requeue=requeue)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        states = ", ".join(f"{k} {v}" for k, v in result.states.items())
        click.echo(
            f"{result.sweep}: {result.jobs} jobs ({result.new} new), {result.enqueued} enqueued; {states}"
        )
    if wait:
        _wait(settings, sweep_name, as_json)


def _wait(settings: Settings, sweep_name: str, as_json: bool) -> None:
    from scheduler.cli.status import watch

    watch(settings, sweep_name, out=sys.stderr if as_json else sys.stdout)


@cli.command("resume")
@click.option("--model", "model", required=True, help="The paused model's id (see `scheduler status`).")
def resume_command(model: str) -> None:
    """Lift a model's pause (the infrastructure tripwire): its queued jobs run again."""
    from scheduler.fleet.pauses import resume

    resume(_settings(), model)
    click.echo(f"model {model} resumed: its queued jobs run again")


@cli.group("db")
def db_group() -> None:
    """The Postgres schema."""


@db_group.command("upgrade")
def db_upgrade_command() -> None:
    """Apply pending schema migrations (idempotent; safe to run from several machines at once)."""
    from scheduler.db.migrate import current_version, upgrade

    settings = _settings()
    applied = upgrade(settings)
    version = current_version(settings)
    if applied:
        names = ", ".join(f"{m.version:03d}_{m.name}" for m in applied)
        click.echo(f"applied {len(applied)} migration(s): {names}; schema at version {version}")
    else:
        click.echo(f"schema up to date at version {version}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (scheduler/core/console.py: one line and exit 1 for an operator's mistake)."""
    console_main(cli, "scheduler", argv, before=_load_extensions, translate=_schema_error)


def _load_extensions() -> None:
    """Add the commands of scheduler/cli/reporting.py (imported when a command runs: `--help` of the
    group stays quick), from its explicit `COMMANDS` list."""
    from scheduler.cli.reporting import COMMANDS

    for command in COMMANDS:
        if command.name not in cli.commands:
            cli.add_command(command)


if __name__ == "__main__":
    main()


def _schema_error(exc: Exception) -> OperatorError | None:
    from scheduler.db import schema_error  # imported when needed: `--help` stays quick

    return schema_error(exc)
