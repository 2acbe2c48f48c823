"""Every console script answers --version with quantsweep's version."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest


@pytest.mark.parametrize("module", ["scheduler.cli", "scheduler.cli.exams", "worker.cli"])
def test_each_console_script_prints_the_quantsweep_version(module: str) -> None:
    code = f"from {module} import main; main(['--version'])"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"version {version('quantsweep')}"), done.stdout
