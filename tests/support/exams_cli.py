"""The `exams` CLI run in this process, through its console entry point."""

from __future__ import annotations

import contextlib
import io

import pytest

from scheduler.cli.exams import main


def run_exams(*args: str) -> tuple[int, str]:
    """Run `exams ARGS`; return (exit status, stdout and stderr together)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), pytest.raises(SystemExit) as exit_:
        main(list(args))
    return int(exit_.value.code or 0), out.getvalue()
