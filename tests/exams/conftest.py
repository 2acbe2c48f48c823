"""Fixtures for exam tests: the Go toolchain, the article's published responses, sandbox programs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from exams.golang import GoToolchain, GoToolchainError, find_go
from exams.sandbox import Workspace
from tests.services import article_results_dir


@pytest.fixture(scope="session")
def article_results() -> Path:
    """The article's results folder; tests using it skip where it is absent, and fail in CI."""
    path = article_results_dir()
    if not (path / "exam_v1").is_dir():
        message = f"article results not found at {path} (set QUANTSWEEP_ARTICLE_RESULTS)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def go_toolchain() -> GoToolchain:
    """The Go toolchain: skip locally without one, fail in CI."""
    try:
        return find_go()
    except GoToolchainError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.fixture
def workspace(go_toolchain: GoToolchain) -> Iterator[Workspace]:
    """A sandbox workspace deleted after the test."""
    with Workspace() as ws:
        yield ws
