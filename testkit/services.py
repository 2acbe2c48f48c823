"""Redis and PostgreSQL servers of a test session's or a bench's own, so neither touches a user's data.

`private_services()` starts a redis-server and a PostgreSQL cluster (initdb) on free ports with
data folders under a temporary directory, and points `scratch_database` and `fresh_redis_url` at
them; the test session (tests/conftest.py) and every script in bench/ run inside it. Nothing here
connects to the machine's own Redis (6379) or PostgreSQL (5432).

`RedisServer` and `PostgresServer` can also be stopped, killed and started again on the same port
and data folder, which the fault-injection tests use.

A missing binary, or a server that does not come up, raises `ServiceUnavailable`; the tests turn it
into a skip locally and a failure under CI (tests/support/availability.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis

START_TIMEOUT_S = 60.0


class ServiceUnavailable(RuntimeError):
    """A server binary is missing, or a server did not come up."""


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(ready: object, what: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.05)
    tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
    raise ServiceUnavailable(f"{what} did not come up in {START_TIMEOUT_S:.0f} s:\n{tail}")


@dataclass
class RedisServer:
    """A redis-server on 127.0.0.1:`port`, keeping nothing on disk (like the machine's)."""

    root: Path
    port: int = field(default_factory=free_port)
    password: str | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """`redis://[:password@]127.0.0.1:port` without a db number."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server (empty) and wait until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceUnavailable("redis-server is not on PATH (Debian package redis-server)")
        self.root.mkdir(parents=True, exist_ok=True)
        log_path = self.root / "redis.log"
        args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.root), "--logfile", str(log_path), "--daemonize", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self._answers, f"redis-server on port {self.port}", log_path)

    def _answers(self) -> bool:
        try:
            client = redis.Redis.from_url(f"{self.url}/0", socket_connect_timeout=0.5)
            with contextlib.closing(client):
                return bool(client.ping())
        except redis.exceptions.RedisError:
            return False

    def kill(self) -> None:
        """SIGKILL the server: everything it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def _postgres_bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ServiceUnavailable("initdb is not installed (Debian package postgresql)")
    return Path(initdb).parent


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its binaries as the `postgres` user then."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster of its own (initdb) on 127.0.0.1:`port`, trust auth, user `postgres`.

    Durability is off (fsync, full_page_writes, synchronous_commit) unless `durable`: a test
    database is thrown away, and CREATE DATABASE is several times faster without fsync. A server
    that is crashed on purpose (`stop("immediate")`) is `durable`, as a real one is: without
    synchronous commit, a crash loses transactions that were already reported committed.
    """

    root: Path
    port: int = field(default_factory=free_port)
    initialised: bool = False
    durable: bool = False  # fsync and synchronous commit on: what a crash (stop -m immediate) must not lose

    @property
    def data_dir(self) -> Path:
        """The cluster's data folder."""
        return self.root / "data"

    @property
    def admin_url(self) -> str:
        """A URL to the `postgres` maintenance database."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        """A URL to `database` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres_user(), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> None:
        """Create the cluster on first use, start it, and wait until it accepts connections."""
        bindir = _postgres_bindir()
        if not self.initialised:
            self.root.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres", "postgres")
            self._run(
                str(bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                "--auth=trust", "--encoding=UTF8", "--no-sync",
            )  # fmt: skip
            self.initialised = True
        durability = "" if self.durable else " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            f" -c max_connections=200{durability}"
        )
        log_path = self.root / "postgres.log"
        self._run(
            str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(log_path), "-o", options, "start"
        )
        _wait_for(self._answers, f"PostgreSQL on port {self.port}", log_path)

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m <mode>` (smart, fast or immediate); nothing if it is not running."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        bindir = _postgres_bindir()
        try:
            self._run(str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")
        except subprocess.CalledProcessError:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)


@dataclass
class Services:
    """The session's servers; what `scratch_database` and `fresh_redis_url` use."""

    postgres: PostgresServer
    redis: RedisServer


_current: Services | None = None


def current_services() -> Services:
    """The running private services; ServiceUnavailable outside `private_services()`."""
    if _current is None:
        raise ServiceUnavailable("private_services() is not running")
    return _current


@contextmanager
def private_services() -> Iterator[Services]:
    """Start a private PostgreSQL and Redis for as long as the block runs, then remove them."""
    global _current
    root = Path(tempfile.mkdtemp(prefix="quantsweep-services-"))
    os.chmod(root, 0o755)  # the postgres user must reach its data folder
    services = Services(postgres=PostgresServer(root / "postgres"), redis=RedisServer(root / "redis"))
    try:
        services.redis.start()
        services.postgres.start()
        _current = services
        yield services
    finally:
        _current = None
        services.redis.stop()
        services.postgres.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def admin_connection() -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection to the private server's maintenance database."""
    return psycopg.connect(current_services().postgres.admin_url, autocommit=True, connect_timeout=5)


def database_url_for(name: str) -> str:
    """The URL of database `name` on the private server."""
    return current_services().postgres.url_for(name)


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


# Every row of every table but the migrations' own bookkeeping, and every sequence back at its start,
# in one statement; the tables are read from the catalog, so a new migration's tables are included.
# DELETE, not TRUNCATE: TRUNCATE makes new files for each table, index and TOAST table, which costs
# far more than deleting the few rows a test writes (bench/test_fixtures.py). The replica role
# skips the foreign-key triggers, so the order of the tables does not matter.
_EMPTY_DATABASE = """
DO $$
DECLARE t record;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR t IN SELECT schemaname, tablename FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> 'schema_migrations' LOOP
        EXECUTE format('DELETE FROM %I.%I', t.schemaname, t.tablename);
    END LOOP;
    PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
       FROM pg_sequences WHERE schemaname = 'public';
END $$
"""
_EMPTY_LOCK_TIMEOUT = "5s"


def empty_database(url: str) -> None:
    """Delete every row of the migrated database at `url` (its schema and migration records stay) and
    set its sequences back to their start, as a fresh copy of the template would have them.

    A connection left behind by a previous user that still holds a lock (a process that outlived
    its test, a transaction left open) is ended after `_EMPTY_LOCK_TIMEOUT` of waiting, as
    DROP DATABASE ... WITH (FORCE) would end it. The role must be a superuser (the private
    server's `postgres` is).
    """
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"SET lock_timeout = '{_EMPTY_LOCK_TIMEOUT}'")
        try:
            conn.execute(_EMPTY_DATABASE)
        except psycopg.errors.LockNotAvailable:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            conn.execute("SET lock_timeout = 0")
            conn.execute(_EMPTY_DATABASE)


_redis_dbs = iter(range(1_000_000))


def fresh_redis_url() -> str:
    """A flushed db of the private Redis; each call takes the next of dbs 1-15 in turn, so a
    process a previous test left behind cannot read this test's messages."""
    url = f"{current_services().redis.url}/{1 + next(_redis_dbs) % 15}"
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    with contextlib.closing(client):
        client.flushdb()
    return url
