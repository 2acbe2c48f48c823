"""The one entry point of the three console scripts (`scheduler`, `worker`, `exams`): how a
failure prints.

`console_main(group, prog)` runs a click group and decides how a failure prints:

- an operator's mistake, `OperatorError` (the scheduler's and the worker's, `scheduler/core/errors.py`)
  or `exams.types.ExamError` (the exams library's own root): one line on stderr,
  `<prog>: error: <message>`, exit 1; a `click.ClickException` raised by a command prints the same;
- a usage mistake (`click.UsageError`: unknown option, missing argument): click's usage and
  message, exit 2;
- Ctrl-C: `<prog>: aborted`, exit 130;
- an exception the script's `translate` turns into an `OperatorError` (say, a database without
  the schema): printed as one;
- anything else is a bug and keeps its traceback.

It lives in the scheduler's core, which the worker imports and which imports the exams library:
`exams` imports nothing of ours, and its console script is `scheduler/cli/exams.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

import click

from exams.types import ExamError
from scheduler.core.errors import OperatorError


def error_line(prog: str, message: object) -> str:
    """`<prog>: error: <message>`, on one line."""
    text = " ".join(str(message).split()) or "failed"
    return f"{prog}: error: {text}"


def console_main(
    group: click.Command,
    prog: str,
    argv: list[str] | None = None,
    *,
    before: Callable[[], None] | None = None,
    translate: Callable[[Exception], OperatorError | None] | None = None,
) -> NoReturn:
    """Run `group` as the console script `prog`; exit with its status (see the module docstring)."""
    try:
        _run(group, prog, argv, before)
    except Exception as exc:
        operator_error = translate(exc) if translate is not None else None
        if operator_error is None:
            raise
        _fail(prog, operator_error)
    sys.exit(0)


def _run(group: click.Command, prog: str, argv: list[str] | None, before: Callable[[], None] | None) -> None:
    try:
        if before is not None:
            before()
        group.main(args=argv, prog_name=prog, standalone_mode=False)
    except (OperatorError, ExamError) as exc:
        _fail(prog, exc)
    except click.exceptions.Abort:
        click.echo(f"{prog}: aborted", err=True)
        sys.exit(130)
    except click.UsageError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _fail(prog, exc.format_message())
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def _fail(prog: str, message: object) -> NoReturn:
    click.echo(error_line(prog, message), err=True)
    sys.exit(1)
