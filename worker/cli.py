"""`worker gpu` and `worker cpu`: start the two kinds of worker with their queues, concurrency and prefetch.

    worker gpu    next to this machine's llama-swap (LLAMA_SWAP_URL), one process per server slot
                  (GPU_SLOTS, or `/props` total_slots: worker/slots.py), consuming gen.<model>
                  for the models it serves; waits (with a log line) while
                  that server is still starting or loading, exits when it is no model server
    worker cpu    the graders, on queue `cpu`, one process per core

Both run Celery's prefork pool (the only one where soft and hard time limits both work), with
task events on for Flower, and announce themselves in the `workers` table.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from scheduler.core.console import console_main
from scheduler.core.errors import OperatorError
from scheduler.core.queues import GRADING_QUEUE
from scheduler.core.settings import get_settings, mask_url
from scheduler.db.vocabulary import WorkerRole
from worker.errors import WorkerError, check_broker


def _start(
    role: WorkerRole,
    name: str,
    queues: list[str],
    concurrency: int,
    loglevel: str,
    served: list[str],
    info: dict[str, str],
    configure: Callable[[Any], None] | None = None,
) -> None:
    from worker.app import app  # imported here so `--help` works without reading settings

    app.conf.quantsweep_worker = {"role": role, "served_models": served, "info": info}
    if configure is not None:
        configure(app)
    # kombu's Redis transport minus a crash when Redis drops while a message is held
    # (worker/redis_transport.py); Flower, on the same app, keeps kombu's own (it knows its name).
    app.conf.broker_transport = "worker.redis_transport:Transport"
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quantsweep")
def cli() -> None:
    """quantsweep workers: `gpu` generates through llama-swap, `cpu` grades."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (scheduler/core/console.py: one line and exit 1 for an operator's mistake)."""
    console_main(cli, "worker", argv, translate=_schema_error)


@cli.command()
@click.option("--name", default=None, help="Celery node name (default gpu@WORKER_HOST).")
@click.option("--loglevel", default="info", show_default=True)
def gpu(name: str | None, loglevel: str) -> None:
    """Generate: one process per server slot, next to LLAMA_SWAP_URL, on the queues of the models it serves."""
    from worker.client import ChatClient
    from worker.slots import machine_slots

    settings = get_settings()  # a bad GPU_SLOTS stops the worker before it waits for its server
    check_broker(settings)
    # Started beside its server (compose), the worker usually comes first: a server that is
    # still starting or loading its model is waited for; only a wrong URL stops it.
    served = ChatClient(settings.llama_swap_url).wait_for_models(
        lambda line: click.echo(f"worker: {line}", err=True)
    )
    if not served:
        raise WorkerError(
            f"llama-swap at LLAMA_SWAP_URL={mask_url(settings.llama_swap_url)} serves no models:"
            " add models to its config"
        )
    # The DISPATCH strategy (worker/dispatch/strategies.py) names the starting queues and installs
    # its task hooks; affinity starts on this machine's standby queue and its fleet controller
    # then consumes one model queue at a time.
    from worker.dispatch.strategies import strategy_for

    strategy = strategy_for()
    queues = strategy.initial_queues(settings.worker_host, served)
    slots = machine_slots(ChatClient(settings.llama_swap_url), served, settings.dispatch.slots)
    click.echo(f"worker: {slots.count} slot(s) ({slots.source})", err=True)
    info = {
        "llama_swap_url": mask_url(settings.llama_swap_url),
        "dispatch": strategy.name,
        "slots": str(slots.count),
        "slots_source": slots.source,
    }
    node = name or f"{WorkerRole.GPU}@{settings.worker_host}"
    _start(WorkerRole.GPU, node, queues, slots.count, loglevel, served, info, strategy.configure)


@cli.command()
@click.option("--name", default=None, help="Celery node name (default cpu@WORKER_HOST).")
@click.option("--concurrency", type=click.IntRange(min=1), default=None, help="Processes (default: cores).")
@click.option("--loglevel", default="info", show_default=True)
def cpu(name: str | None, concurrency: int | None, loglevel: str) -> None:
    """Grade: one process per core on the `cpu` queue."""
    settings = get_settings()
    check_broker(settings)
    processes = concurrency or os.cpu_count() or 1
    # Probed once here, before the pool forks: the operator sees at start which sandbox grades.
    from exams.sandbox.jail import isolation_available

    sandbox = "namespaces" if isolation_available() else "limits only"
    click.echo(f"worker: grading sandbox: {sandbox}", err=True)
    node = name or f"{WorkerRole.CPU}@{settings.worker_host}"
    _start(WorkerRole.CPU, node, [GRADING_QUEUE], processes, loglevel, [], {"sandbox": sandbox})


from worker.flower import flower_command

cli.add_command(flower_command)


def _schema_error(exc: Exception) -> OperatorError | None:
    from scheduler.db import schema_error  # imported when needed: `--help` stays quick

    return schema_error(exc)
