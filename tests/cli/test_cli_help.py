"""Every console script in pyproject.toml, and every command under it, answers `-h` as `--help`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

SCRIPTS = sorted(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"])


def subcommands(help_text: str) -> list[str]:
    """The command names listed under click's `Commands:` heading."""
    _, _, listing = help_text.partition("\nCommands:\n")
    return re.findall(r"^  (\S+)", listing, flags=re.MULTILINE)


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_command_of_the_console_script_accepts_dash_h(script: str) -> None:
    executable = Path(sys.executable).parent / script
    assert executable.exists(), f"{script} is not installed next to {sys.executable}: run `make install`"
    pending, seen = [[str(executable)]], 0
    while pending:
        argv = pending.pop()
        short = subprocess.run([*argv, "-h"], check=False, capture_output=True, text=True, timeout=60)
        assert short.returncode == 0 and "Usage:" in short.stdout, (argv, short.stderr[-500:])
        long = subprocess.run([*argv, "--help"], check=False, capture_output=True, text=True, timeout=60)
        assert short.stdout == long.stdout, argv
        pending.extend([*argv, name] for name in subcommands(short.stdout))
        seen += 1
    assert seen > 1, f"{script} lists no commands"
