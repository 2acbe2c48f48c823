"""`worker flower`: Flower on the same broker as the workers, with basic auth and persistent state.

The same as running (with the login required on every route, see worker/flower_server.py)::

    FLOWER_BASIC_AUTH=user:password celery -A worker.app flower --port=5555 --address=0.0.0.0 \\
        --persistent=True --db=/var/lib/quantsweep/flower.db --state_save_interval=60000

Basic auth is required (Flower's API is disabled without authentication anyway), and asked for on
every route, `/metrics` and the static files included, but `/healthcheck` (worker/flower_server.py). The credentials go
to Flower through its environment variable, never on the command line, so `ps` does not show them.
Flower lists the queues consumed by workers it knows (`/api/queues/length`), so `cpu` appears once a
`worker cpu` runs and each `gen.<model>` once a `worker gpu` consumes it; task events come from the
workers (started with `--task-events`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scheduler.core.settings import get_settings, mask_url
from worker.errors import WorkerError, check_broker

AUTH_ENV = "FLOWER_BASIC_AUTH"
STATE_SAVE_INTERVAL_MS = 60_000


class FlowerConfigError(WorkerError):
    """Flower cannot start as configured (no credentials)."""


def check_basic_auth(value: str | None) -> str:
    """`user:password[,user2:password2]`, or FlowerConfigError naming the variable."""
    if not value:
        raise FlowerConfigError(f"set {AUTH_ENV}=user:password: Flower must not run without basic auth")
    for pair in value.split(","):
        user, sep, password = pair.partition(":")
        if not sep or not user or not password:
            raise FlowerConfigError(f"{AUTH_ENV} must be user:password (comma-separated for several users)")
    return value


def flower_argv(port: int, address: str, db_path: Path, purge_offline_s: int | None = None) -> list[str]:
    """The `celery ... flower` command line, run through worker.flower_server (credentials excluded:
    they travel in the environment)."""
    argv = [
        sys.executable,
        "-m",
        "worker.flower_server",
        "-A",
        "worker.app",
        "flower",
        f"--port={port}",
        f"--address={address}",
        "--persistent=True",
        f"--db={db_path}",
        f"--state_save_interval={STATE_SAVE_INTERVAL_MS}",
    ]
    if purge_offline_s is not None:
        argv.append(f"--purge_offline_workers={purge_offline_s}")
    return argv


@click.command("flower")
@click.option("--port", type=int, default=5555, show_default=True)
@click.option(
    "--address", default="127.0.0.1", show_default=True, help="Listen address (0.0.0.0 for the fleet)."
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("flower.db"),
    show_default=True,
    help="Where Flower keeps its state between restarts.",
)
@click.option("--purge-offline-s", type=int, default=None, help="Forget workers offline this long.")
def flower_command(port: int, address: str, db_path: Path, purge_offline_s: int | None) -> None:
    """Start Flower on REDIS_URL with basic auth (FLOWER_BASIC_AUTH) and persistent state."""
    settings = get_settings()
    check_basic_auth(settings.flower_basic_auth or None)
    check_broker(settings)
    if not db_path.parent.is_dir():
        raise FlowerConfigError(f"--db {db_path}: directory {db_path.parent} does not exist")
    argv = flower_argv(port, address, db_path, purge_offline_s)
    click.echo(f"flower on http://{address}:{port} for broker {mask_url(settings.redis_url)}", err=True)
    os.execv(argv[0], argv)
