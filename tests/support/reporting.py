"""Helpers shared by the report, export and article tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.reports import GradeChoice, build_report
from scheduler.reports.article import import_article
from scheduler.sweeps.catalog import load_catalog
from testkit.fakes.own_recordings import own_recordings_dir
from tests.support.availability import article_results_dir

ARTICLE_RESULTS = article_results_dir()
RECORDED = "recorded"  # the sweep our own recordings are imported as


def load_article(settings: Settings, root: Path = ARTICLE_RESULTS, sweep: str = "article") -> Any:
    """Import the article's published results into the test database."""
    with connect(settings) as conn:
        return import_article(conn, root, sweep, load_catalog(settings.sweeps_dir))


def load_recorded(settings: Settings, root: Path | None = None) -> Any:
    """Import our own recordings (testkit/fakes/own_recordings.py) as published results, sweep RECORDED."""
    return load_article(settings, root or own_recordings_dir(), RECORDED)


def copy_recorded(tmp_path: Path) -> Path:
    """A writable copy of our own recordings, in the published results' layout."""
    return Path(shutil.copytree(own_recordings_dir(), tmp_path / "recorded"))


def report_json(
    settings: Settings, sweep: str = "article", grades: GradeChoice = GradeChoice.AUTO
) -> dict[str, Any]:
    """The JSON form of a sweep's report."""
    with connect(settings) as conn:
        return build_report(conn, sweep, grades).to_json()


def stats_by(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The report's per (model, exam) numbers."""
    return {(s["model"], s["exam"]): s for s in report["stats"]}


def copy_article(tmp_path: Path) -> Path:
    """A writable copy of the article's results."""
    target = tmp_path / "article_results"
    shutil.copytree(ARTICLE_RESULTS, target)
    return target
