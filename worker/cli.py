"""`worker gpu` and `worker cpu`: start the two pools with their queues, concurrency and prefetch.

    worker gpu    one process next to this machine's llama-swap (LLAMA_SWAP_URL), concurrency 1,
                  consuming gen.<model> for the models it serves; waits (with a log line) while
                  that server is still starting or loading, exits when it is no model server
    worker cpu    the grading pool on queue `cpu`, one process per core

Both run Celery's prefork pool (the only one where soft and hard time limits both work), with
task events on for Flower, and announce themselves in the `workers` table.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from scheduler.db.vocabulary import WorkerPool
from scheduler.errors import QuantsweepError
from scheduler.queues import GRADING_QUEUE
from scheduler.settings import get_settings, mask_url


def _start(
    pool: WorkerPool,
    name: str,
    queues: list[str],
    concurrency: int,
    loglevel: str,
    served: list[str],
    info: dict[str, str],
) -> None:
    from worker.app import app  # imported here so `--help` works without reading settings

    app.conf.quantsweep_role = {"pool": pool, "served_models": served, "info": info}
    argv = [
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "--prefetch-multiplier=1",
        f"--queues={','.join(queues)}",
        f"--hostname={name}",
        f"--loglevel={loglevel}",
        "--task-events",
        "--without-mingle",
        "--without-gossip",
    ]
    app.worker_main(argv)


@click.group()
@click.version_option(package_name="quantsweep")
def main() -> None:
    """quantsweep workers: `gpu` generates through llama-swap, `cpu` grades."""


@main.command()
@click.option("--name", default=None, help="Celery node name (default gpu@WORKER_HOST).")
@click.option("--loglevel", default="info", show_default=True)
def gpu(name: str | None, loglevel: str) -> None:
    """Generate: concurrency 1, next to LLAMA_SWAP_URL, on the queues of the models it serves."""
    from worker.client import ChatClient

    try:
        settings = get_settings()
        # Started beside its server (compose), the worker usually comes first: a server that is
        # still starting or loading its model is waited for; only a wrong URL stops it.
        served = ChatClient(settings.llama_swap_url).wait_for_models(lambda line: click.echo(f"worker: {line}", err=True))
        if not served:
            raise QuantsweepError(
                f"llama-swap at LLAMA_SWAP_URL={mask_url(settings.llama_swap_url)} serves no models:"
                " add models to its config"
            )
    except QuantsweepError as exc:
        _fail(exc)
    # GPU affinity hook (worker/fleet.py): start on this machine's standby queue; the fleet
    # controller then consumes one model queue at a time. DISPATCH=all keeps every served queue.
    from worker.fleet import dispatch_mode, initial_queues

    try:
        queues = initial_queues(settings.worker_host, served)
        info = {"llama_swap_url": mask_url(settings.llama_swap_url), "dispatch": dispatch_mode()}
    except QuantsweepError as exc:
        _fail(exc)
    _start(WorkerPool.GPU, name or f"{WorkerPool.GPU}@{settings.worker_host}", queues, 1, loglevel, served, info)


@main.command()
@click.option("--name", default=None, help="Celery node name (default cpu@WORKER_HOST).")
@click.option("--concurrency", type=click.IntRange(min=1), default=None, help="Processes (default: cores).")
@click.option("--loglevel", default="info", show_default=True)
def cpu(name: str | None, concurrency: int | None, loglevel: str) -> None:
    """Grade: one process per core on the `cpu` queue."""
    try:
        settings = get_settings()
    except QuantsweepError as exc:
        _fail(exc)
    processes = concurrency or os.cpu_count() or 1
    # Probed once here, before the pool forks: the operator sees at start which sandbox grades.
    from exams.sandbox.jail import isolation_available

    sandbox = "namespaces" if isolation_available() else "limits only"
    click.echo(f"worker: grading sandbox: {sandbox}", err=True)
    node = name or f"{WorkerPool.CPU}@{settings.worker_host}"
    _start(WorkerPool.CPU, node, [GRADING_QUEUE], processes, loglevel, [], {"sandbox": sandbox})


def _fail(exc: Exception) -> NoReturn:
    click.echo(f"worker: {exc}", err=True)
    sys.exit(1)


from worker.flower import flower_command

main.add_command(flower_command)
