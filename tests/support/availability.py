"""What a test needs from outside the repo: a skip locally when it is missing, a failure under CI
(a CI run must never pass by skipping)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT


def require_service(name: str, error: Exception) -> None:
    """Skip, or fail when the env var CI is set, for a missing service or data folder."""
    message = f"{name} is not available: {error}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def article_results_dir() -> Path:
    """The article's published results: QUANTSWEEP_ARTICLE_RESULTS, or ../shared/reference/ beside the repo."""
    explicit = os.environ.get("QUANTSWEEP_ARTICLE_RESULTS")
    return Path(explicit) if explicit else REPO_ROOT.parent / "shared" / "reference" / "article-results"


# For a module of tests about the article's data (the `article_results` fixture of tests/conftest.py).
needs_article_results = pytest.mark.usefixtures("article_results")
