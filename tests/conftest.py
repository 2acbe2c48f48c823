"""Shared fixtures: private Redis and PostgreSQL servers for the session (testkit/services.py), a
clean migrated database and a clean Redis db per test, settings for both.

A test's database is the process's one migrated database, emptied before the test (a DELETE of
every table, far cheaper than a copy of the template: bench/test_fixtures.py); `fresh_database_url`
and `empty_database_url` give a database of the test's own where one is needed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import redis

from scheduler.core.settings import Settings, get_settings
from scheduler.db import close_pool
from testkit.services import (
    Services,
    ServiceUnavailable,
    empty_database,
    fresh_redis_url,
    private_services,
    scratch_database,
)
from tests.support.availability import article_results_dir, require_service

# Generated inputs (hypothesis) with no time limit per example: tests never assert wall-clock times.
hypothesis.settings.register_profile("quantsweep", deadline=None)
hypothesis.settings.load_profile("quantsweep")


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """This session's own Redis and PostgreSQL servers (never the machine's)."""
    stack = contextlib.ExitStack()
    try:
        started = stack.enter_context(private_services())
    except ServiceUnavailable as exc:
        require_service("a private Redis and PostgreSQL", exc)
        raise
    with stack:
        yield started


@pytest.fixture(scope="session")
def article_results() -> Path:
    """The article's published results, for the tests about that data: skip locally where they are
    absent, fail under CI (set QUANTSWEEP_ARTICLE_RESULTS, or put them at ../shared/reference/)."""
    path = article_results_dir()
    if not (path / "exam_v1").is_dir():
        require_service(
            "the article's published results folder", FileNotFoundError(f"no exam_v1 folder in {path}")
        )
    return path


@pytest.fixture(scope="session")
def template_database(services: Services) -> Iterator[str]:
    """The name of a database migrated to the newest schema, copied by the database fixtures; nothing
    connects to it (PostgreSQL copies only a database without connections)."""
    from scheduler.db.migrate import upgrade

    with scratch_database() as url:
        upgrade(Settings(database_url=url))
        yield url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def process_database_url(template_database: str) -> Iterator[str]:
    """This test process's migrated database, shared by its tests one after another."""
    with scratch_database(template=template_database) as url:
        yield url


@pytest.fixture
def database_url(process_database_url: str) -> str:
    """A migrated database with no rows and its sequences at their start, for this test: the
    process's database, emptied before the test (testkit.services.empty_database)."""
    empty_database(process_database_url)
    return process_database_url


@pytest.fixture
def fresh_database_url(template_database: str) -> Iterator[str]:
    """A migrated database of this test's own (a copy of the template, dropped afterwards), for a
    test that needs a second database or one no other test has used."""
    with scratch_database(template=template_database) as url:
        yield url


@pytest.fixture
def empty_database_url(services: Services) -> Iterator[str]:
    """A fresh database with no schema at all."""
    with scratch_database() as url:
        yield url


@pytest.fixture
def redis_url(services: Services) -> Iterator[str]:
    """A db of the session's Redis for this test, flushed before and after it."""
    url = fresh_redis_url()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def settings(database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings (and the environment, for subprocesses) pointing at this test's database and Redis."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    close_pool()
    yield Settings.from_env(os.environ)
    close_pool()
    get_settings.cache_clear()
