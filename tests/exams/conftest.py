"""Fixtures for exam tests: the Go toolchain and sandbox programs (the article's published responses:
`article_results` in tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from exams.golang import GoToolchain, GoToolchainError, find_go
from exams.sandbox import Workspace


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
