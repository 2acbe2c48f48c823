"""The `exams` console script: the exams library's commands (`exams.cli`) run through quantsweep's
one runner, so an operator's mistake prints as one line as in `scheduler` and `worker`, plus the
one command of the script that reads the database: `exams health --sweep NAME`, the scheduler's
`health` (`scheduler.cli.reporting.health_command`)."""

from __future__ import annotations

import copy

import click

from exams.cli import cli
from scheduler.cli.reporting import health_command
from scheduler.core.console import console_main


def exams_group() -> click.Group:
    """The library's `exams` group with the scheduler's `health` added (the library's own group is
    left as it is: the exams package imports nothing of the scheduler)."""
    group = copy.copy(cli)
    group.commands = {**cli.commands, "health": health_command}
    return group


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (scheduler/core/console.py: one line and exit 1 for an operator's mistake)."""
    console_main(exams_group(), "exams", argv)


if __name__ == "__main__":
    main()
