"""Test databases and Redis dbs of their own, so tests never touch a user's data.

A test needing a service that is down skips locally and fails when the env var CI is set
(a CI run must never pass by skipping).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis

REPO_ROOT = Path(__file__).resolve().parent.parent
ADMIN_DATABASE_URL = os.environ.get("TEST_ADMIN_DATABASE_URL", "postgresql:///postgres")
TEST_REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_service(name: str, error: Exception) -> None:
    """Skip, or fail under CI, for a missing service."""
    message = f"{name} is not reachable: {error}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def database_url_for(name: str) -> str:
    """The URL of database `name` on the admin server."""
    base, _, _ = ADMIN_DATABASE_URL.rpartition("/")
    return f"{base}/{name}"


def admin_connection() -> psycopg.Connection:  # type: ignore[type-arg]
    """An autocommit connection to the admin database, or a skip/fail."""
    try:
        return psycopg.connect(ADMIN_DATABASE_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require_service("PostgreSQL", exc)
        raise


@contextmanager
def scratch_database(template: str | None = None) -> Iterator[str]:
    """A database of its own (optionally copied from `template`), dropped afterwards."""
    name = f"qs_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin_connection() as admin:
        clause = f" TEMPLATE {template}" if template else ""
        admin.execute(f"CREATE DATABASE {name}{clause}")
    try:
        yield database_url_for(name)
    finally:
        with admin_connection() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def redis_db_number() -> int:
    """A Redis db for this test process: 1..15 by pid, so parallel runs rarely meet."""
    return 1 + os.getpid() % 15


def fresh_redis_url() -> str:
    """This process's Redis db, flushed; a skip/fail when Redis is down."""
    url = f"{TEST_REDIS_BASE}/{redis_db_number()}"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        client.flushdb()
        client.close()
    except redis.exceptions.ConnectionError as exc:
        require_service("Redis", exc)
    return url


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def article_results_dir() -> Path:
    """The article's published results: QUANTSWEEP_ARTICLE_RESULTS, or ../shared/reference/ beside the repo."""
    explicit = os.environ.get("QUANTSWEEP_ARTICLE_RESULTS")
    return Path(explicit) if explicit else REPO_ROOT.parent / "shared" / "reference" / "article-results"


needs_article_results = pytest.mark.skipif(
    not (article_results_dir() / "exam_v1").is_dir(),
    reason=f"the article's results are not at {article_results_dir()} (set QUANTSWEEP_ARTICLE_RESULTS)",
)
