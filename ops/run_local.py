#!/usr/bin/env python3
"""Run the `demo` sweep end to end on this machine (the README's `make demo`).

It checks Redis, Postgres, Go, llama-server and the model (naming what is missing and how to
get it), applies the schema, starts a real llama-server serving Gemma 3 270M, one GPU-pool
worker (on CPU here) pointed at it and one CPU-pool worker, submits the sweep, shows its
progress, prints the results, and stops everything it started.

    python ops/run_local.py [--rerun] [--timeout-s 1200]

Logs of the processes it starts go to artifacts/local-run/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local_processes import (
    MODEL_ID,
    REPO_ROOT,
    Children,
    Missing,
    check_go,
    check_redis,
    ensure_database,
    llama_server_binary,
    model_file,
    python_command,
    start_llama_server,
)
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

SWEEP = "demo"
REQUEUE_GRACE_S = 20.0
console = Console(width=None if sys.stdout.isatty() else 120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerun", action="store_true", help="run the sweep again even if it is done")
    parser.add_argument("--timeout-s", type=float, default=1200, help="give up after this long")
    args = parser.parse_args(argv)
    started = time.monotonic()
    from scheduler.settings import get_settings

    settings = get_settings()
    binary, model = preflight(settings.redis_url, settings.database_url)
    log_dir = REPO_ROOT / "artifacts" / "local-run"
    log_dir.mkdir(parents=True, exist_ok=True)
    children = Children(log_dir)
    # One machine, one model: the GPU worker consumes the model's queue from the start.
    env = {"DISPATCH": "all", **os.environ, "PYTHONPATH": str(REPO_ROOT)}
    try:
        run_step("schema", python_command("scheduler.cli", "db", "upgrade"), env)
        console.print(f"starting llama-server ({binary.name}, {model.name})")
        env["LLAMA_SWAP_URL"] = start_llama_server(children, binary, model, env)
        host = env.get("WORKER_HOST") or "local"
        children.start("worker-gpu", python_command("worker.cli", "gpu", "--name", f"gpu-local@{host}"), env)
        children.start("worker-cpu", python_command("worker.cli", "cpu", "--name", f"cpu-local@{host}"), env)
        wait_announced(children, [f"gpu-local@{host}", f"cpu-local@{host}"])
        submit = ["submit", "--sweep", SWEEP, *(["--rerun"] if args.rerun else [])]
        run_step("submit", python_command("scheduler.cli", *submit), env)
        if not watch(children, started + args.timeout_s, env):
            return 1
        print_results()
    except Missing as exc:
        console.print(f"[red]local run failed:[/red] {exc}")
        return 1
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    finally:
        children.stop_all()
    console.print(f"demo sweep finished in {time.monotonic() - started:.0f} s; logs in {log_dir}")
    return 0


def preflight(redis_url: str, database_url: str) -> tuple[Path, Path]:
    """Check every prerequisite; print all that are missing at once and exit 1."""
    problems = []
    for check in (lambda: check_redis(redis_url), lambda: ensure_database(database_url), check_go):
        try:
            note = check()
            if note:
                console.print(note)
        except Missing as exc:
            problems.append(str(exc))
    binary = model = Path()
    try:
        binary = llama_server_binary()
        model = model_file()
    except Missing as exc:
        problems.append(str(exc))
    if problems:
        for problem in problems:
            console.print(f"[red]missing:[/red] {problem}")
        raise SystemExit(1)
    return binary, model


def run_step(name: str, cmd: list[str], env: dict[str, str]) -> None:
    """Run one CLI command; raise Missing with its output if it fails."""
    done = subprocess.run(
        cmd, check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise Missing(f"{name} failed: {output}")
    console.print(output)


def wait_announced(children: Children, names: list[str], timeout_s: float = 90) -> None:
    """Wait until both workers have written their row in `workers`."""
    from scheduler.db.workers import announced_workers

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        children.check_alive()
        if announced_workers(names) == set(names):
            return
        time.sleep(0.5)
    raise Missing(f"workers did not start within {timeout_s:g} s (logs in {children.log_dir})")


def watch(children: Children, deadline: float, env: dict[str, str]) -> bool:
    """A progress bar over the sweep's jobs until none is in flight; False on timeout."""
    from scheduler.db import connect
    from scheduler.db.progress import job_state_counts
    from scheduler.db.vocabulary import JobState

    stalled_since: float | None = None

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task(SWEEP, total=None)
        while True:
            children.check_alive()
            with connect() as conn:
                counts = job_state_counts(conn, SWEEP)
            total = sum(counts.values())
            states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != JobState.DONE)
            progress.update(
                bar, total=total, completed=counts.get(JobState.DONE, 0), description=f"{SWEEP} {states}"
            )
            if total and not set(counts) - {JobState.DONE, JobState.PENDING}:
                return True
            if time.monotonic() > deadline:
                console.print(f"[red]timed out[/red] with jobs {counts}")
                return False
            stalled_since = requeue_lost(counts, stalled_since, env)
            time.sleep(1.0)


def requeue_lost(counts: dict[str, int], stalled_since: float | None, env: dict[str, str]) -> float | None:
    """Jobs queued while Redis holds no message and nothing runs: their messages were lost
    (Redis restarted or flushed), so send them again after a grace period."""
    import redis

    from scheduler.db.vocabulary import JobState
    from scheduler.queues import UNACKED_KEY, generation_queue
    from scheduler.settings import get_settings

    busy = any(counts.get(s) for s in (JobState.GENERATING, JobState.GENERATED, JobState.GRADING))
    client = redis.Redis.from_url(get_settings().redis_url)
    try:
        waiting = int(client.llen(generation_queue(MODEL_ID))) + int(client.hlen(UNACKED_KEY))  # type: ignore[arg-type]
    finally:
        client.close()
    if not counts.get(JobState.QUEUED) or busy or waiting:
        return None
    now = time.monotonic()
    if stalled_since is None:
        return now
    if now - stalled_since < REQUEUE_GRACE_S:
        return stalled_since
    console.print("queued jobs have no message in Redis (lost): sending them again")
    run_step("requeue", python_command("scheduler.cli", "submit", "--sweep", SWEEP, "--requeue"), env)
    return None


def print_results() -> None:
    """The sweep's latest generation and grade per job, and the server's mean decode rate."""
    from scheduler.db import connect
    from scheduler.db.results import latest_results

    with connect() as conn:
        rows = latest_results(conn, SWEEP)
    table = Table(title=f"sweep {SWEEP}: {MODEL_ID} through a real llama-server")
    for header in (
        "exam",
        "seed",
        "verdict",
        "score",
        "finish",
        "tokens",
        "tok/s",
        "first token s",
        "gen s",
        "grade s",
    ):
        table.add_column(header, justify="left" if header in ("exam", "verdict", "finish") else "right")
    for r in rows:
        score = "-" if r["score"] is None else f"{r['score']:g}/{r['max_score']:g}"
        table.add_row(
            r["exam"], str(r["seed"]), str(r["verdict"]), score, str(r["finish_reason"]),
            _num(r["completion_tokens"], "d"), _num(r["decode_tps"], ".1f"), _num(r["first_token_s"], ".2f"),
            _num(r["wall_s"], ".1f"), _num(r["duration_s"], ".1f"),
        )  # fmt: skip
    console.print(table)
    rates = [r["decode_tps"] for r in rows if r["decode_tps"]]
    if rates:
        console.print(
            f"decode rate (llama-server timings): mean {sum(rates) / len(rates):.1f} tok/s over {len(rates)} jobs"
        )


def _num(value: object, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


if __name__ == "__main__":
    sys.exit(main())
