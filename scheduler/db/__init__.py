"""The database access layer shared by the scheduler and the workers: every SQL statement lives here.

    recovery     what the reconciler finds: jobs nothing holds, leadership, its last pass
    vocabulary   the stored words (states, outcomes, verdicts, worker roles) as str Enums
    lifecycle    claims under a lease, results stored once, a job finished
    sweeps       sweep rows, and the jobs a submission records and enqueues
    results      stored generations and grades, read back and imported
    catalog      the one `models` upsert
    workers      worker rows, and the running attempts the GPU dispatch reads
    pauses       model pauses (the infrastructure tripwire) and the verdicts that decide them
    progress     the status view's counts
    migrate      the schema's migrations (scheduler/migrations/)

Connections are made per process, after any fork (psycopg connections are not process-safe):
call `get_pool()` lazily in the process that uses it, never at import time.

A pooled connection is checked before it is handed out (psycopg_pool's `check`, a `SELECT 1`):
after a Postgres restart the pool drops its dead connections instead of failing the next query.
`DATABASE_ERRORS` are the exceptions that mean "the database is away, try again later" (a
restart, a network cut, the pool unable to connect within `POOL_TIMEOUT_S`); anything else from
psycopg is a bug and keeps its traceback. `REFUSED_VALUE_ERRORS` mean "the database refuses one
of these values" (a number out of range, text it cannot hold): storing the same again fails again,
so it is never retried as an outage.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from scheduler.core.errors import SchemaMissing, ServiceUnavailable
from scheduler.core.settings import Settings, get_settings, mask_url

__all__ = [
    "DATABASE_ERRORS",
    "QUANTSWEEP_VERSION",
    "REFUSED_VALUE_ERRORS",
    "close_pool",
    "connect",
    "get_pool",
    "schema_error",
    "transaction",
]

# Stored beside the grader version on every generation and grade this code writes.
QUANTSWEEP_VERSION = version("quantsweep")

# The database is away (psycopg_pool.PoolTimeout is an OperationalError too): retry, never give up a job.
DATABASE_ERRORS: tuple[type[Exception], ...] = (psycopg.OperationalError, psycopg.InterfaceError)
# A value the database refuses (psycopg.DataError: out of range, bad text, ...): the same store fails again.
REFUSED_VALUE_ERRORS: tuple[type[Exception], ...] = (psycopg.DataError,)
POOL_TIMEOUT_S = 10.0  # how long a task waits for a connection before treating the database as away

_pool: ConnectionPool[psycopg.Connection[DictRow]] | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def connect(settings: Settings | None = None, *, autocommit: bool = False) -> psycopg.Connection[DictRow]:
    """Open one connection with dict rows; ServiceUnavailable names the URL when Postgres is down."""
    settings = settings or get_settings()
    try:
        return psycopg.connect(
            settings.database_url, autocommit=autocommit, row_factory=dict_row, connect_timeout=10
        )
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServiceUnavailable(
            f"cannot connect to Postgres at DATABASE_URL={mask_url(settings.database_url)}: {reason}"
        ) from exc


def get_pool(settings: Settings | None = None) -> ConnectionPool[psycopg.Connection[DictRow]]:
    """This process's connection pool, created on first use (so after a prefork fork)."""
    import os

    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            settings = settings or get_settings()
            _pool = ConnectionPool(
                settings.database_url,
                connection_class=psycopg.Connection[DictRow],
                min_size=1,
                max_size=settings.db_pool_max_size,
                kwargs={"row_factory": dict_row, "connect_timeout": 10},
                check=ConnectionPool.check_connection,
                timeout=POOL_TIMEOUT_S,
                open=True,
                name="quantsweep",
            )
            _pool_pid = os.getpid()
        return _pool


def close_pool() -> None:
    """Close this process's pool, if any (worker shutdown, tests)."""
    global _pool, _pool_pid
    with _lock:
        if _pool is not None and _pool_pid is not None:
            import os

            if _pool_pid == os.getpid():
                _pool.close()
        _pool = None
        _pool_pid = None


@contextmanager
def transaction(settings: Settings | None = None) -> Iterator[psycopg.Connection[DictRow]]:
    """A pooled connection in one transaction: committed on success, rolled back on error."""
    with get_pool(settings).connection() as conn:
        yield conn


def schema_error(exc: Exception) -> SchemaMissing | None:
    """For the console scripts' `translate`: a query that met a missing table or column means the
    database is not (or not fully) migrated, an operator's fix, not a bug; None for anything else."""
    if not isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedColumn):
        return None
    reason = str(exc).strip().splitlines()[0]
    return SchemaMissing(
        f"the database at DATABASE_URL={mask_url(get_settings().database_url)} lacks quantsweep's schema "
        f"({reason}): run `scheduler db upgrade` (or `docker compose up migrate`) first"
    )
