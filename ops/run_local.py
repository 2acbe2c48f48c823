#!/usr/bin/env python3
"""Run the `demo` sweep end to end on this machine (the README's `make demo`).

It checks Redis, Postgres, Go, llama-server and the model (naming what is missing and how to
get it), applies the schema, starts a real llama-server serving Gemma 3 270M with Gemma's chat
template (checked through /apply-template before anything is submitted), one GPU worker
(on CPU here) pointed at it and one CPU worker, submits the sweep, shows its progress (a bar
in a terminal, plain lines at a steady interval in a log), prints the results with a plain
statement of whether the graders got any of the model's code to build, and stops everything it
started.

    python ops/run_local.py [--rerun] [--timeout-s 1200]

Logs of the processes it starts go to artifacts/local-run/.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local_processes import (
    MODEL_ID,
    REPO_ROOT,
    Children,
    Missing,
    check_chat_template,
    check_go,
    check_redis,
    ensure_database,
    llama_server_binary,
    model_file,
    python_command,
    start_llama_server,
)
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exams.types import MODEL_VERDICTS, Verdict

SWEEP = "demo"
# Verdicts given after the graders ran the Go toolchain on the model's code.
CODE_VERDICTS = frozenset({Verdict.OK, Verdict.TEST_FAIL, Verdict.COMPILE_FAIL})
# Off a terminal (a CI log, a file) a line is never wrapped: one message stays one line.
console = Console(width=None if sys.stdout.isatty() else 120, soft_wrap=not sys.stdout.isatty())


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
        console.print(check_chat_template(env["LLAMA_SWAP_URL"]))
        host = env.get("WORKER_HOST") or "local"
        children.start("worker-gpu", python_command("worker.cli", "gpu", "--name", f"gpu-local@{host}"), env)
        children.start("worker-cpu", python_command("worker.cli", "cpu", "--name", f"cpu-local@{host}"), env)
        wait_announced(children, [f"gpu-local@{host}", f"cpu-local@{host}"])
        submit = ["submit", "--sweep", SWEEP, *(["--rerun"] if args.rerun else [])]
        run_step("submit", python_command("scheduler.cli", *submit), env)
        if not watch(children, started + args.timeout_s):
            return 1
        print_results()
    except Missing as exc:
        console.print(f"[red]local run failed:[/red] {escape(str(exc))}")
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
            console.print(f"[red]missing:[/red] {escape(problem)}")
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
    console.print(output, markup=False)


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


def watch(children: Children, deadline: float) -> bool:
    """Progress over the sweep's jobs until none is in flight; False on timeout.

    A live bar in a terminal; plain lines otherwise (scheduler/progress.py), which a CI log or a
    file shows as they come instead of one bar drawn at the end.
    """
    from scheduler.db import connect
    from scheduler.db.progress import job_state_counts
    from scheduler.db.vocabulary import JobState
    from scheduler.progress import ProgressLines

    lines = ProgressLines(sys.stdout)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        bar = progress.add_task(SWEEP, total=None)
        while True:
            children.check_alive()
            with connect() as conn:
                counts = job_state_counts(conn, SWEEP)
            total = sum(counts.values())
            states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != JobState.DONE)
            done = counts.get(JobState.DONE, 0)
            if console.is_terminal:
                progress.update(bar, total=total, completed=done, description=f"{SWEEP} {states}")
            else:
                lines.update([f"{SWEEP}: {done}/{total} done ({states or 'all done'})"])
            if total and not set(counts) - {JobState.DONE, JobState.PENDING}:
                return True
            if time.monotonic() > deadline:
                console.print(f"[red]timed out[/red] with jobs {counts}")
                return False
            time.sleep(1.0)  # lost messages are re-sent by the workers' reconciler


def print_results() -> None:
    """The sweep's latest generation and grade per job, the server's mean decode rate, and whether
    any answer reached a real grade (its Go code built, or failed to build, under the graders)."""
    from scheduler import cells
    from scheduler.db import connect
    from scheduler.db.results import latest_results

    with connect() as conn:
        rows = latest_results(conn, SWEEP)
    table = Table(title=f"sweep {SWEEP}: {MODEL_ID} through a real llama-server")
    headers = (
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
    )
    for header in headers:
        table.add_column(header, justify="left" if header in ("exam", "verdict", "finish") else "right")
    for r in rows:
        table.add_row(
            r["exam"], str(r["seed"]), cells.text(r["verdict"]), cells.score(r["score"], r["max_score"], r["verdict"]),
            cells.text(r["finish_reason"]), cells.number(r["completion_tokens"], 0), cells.number(r["decode_tps"]),
            cells.number(r["first_token_s"], 2), cells.number(r["wall_s"]), cells.number(r["duration_s"]),
        )  # fmt: skip
    console.print(table)
    rates = [r["decode_tps"] for r in rows if r["decode_tps"]]
    if rates:
        console.print(
            f"decode rate (llama-server timings): mean {sum(rates) / len(rates):.1f} tok/s over {len(rates)} jobs"
        )
    labels = sorted({r["label"] for r in rows})
    console.print(grading_statement([r["verdict"] for r in rows], " and ".join(labels)))


def grading_statement(verdicts: list[str | None], model_label: str) -> str:
    """One plain sentence: how many answers the graders judged on their Go code, or why none was."""
    graded = [v for v in verdicts if v in CODE_VERDICTS]
    counts = ", ".join(f"{n} {v}" for v, n in sorted(Counter(str(v) for v in verdicts).items()))
    if graded:
        return (
            f"real grades: {len(graded)} of {len(verdicts)} answers had their Go code compiled (and, where it"
            f" built, tested) by the graders ({counts}); `scheduler report --sweep {SWEEP}` shows each check."
        )
    if any(v in MODEL_VERDICTS for v in verdicts):
        return (
            f"no real grade: none of the {len(verdicts)} answers held Go code the graders could build ({counts})."
            f" {model_label} did not write a program these exams can grade, even prompted in its own chat"
            " format; the table shows the pipeline working end to end (truncated and timed-out runs are"
            " infrastructure outcomes, never a score), not what a capable model scores."
        )
    if all(v == Verdict.TRUNCATED for v in verdicts):
        return (
            f"no real grade: every answer ran into max_tokens ({counts}): {model_label} did not finish an"
            " answer, and an unfinished answer is an infrastructure outcome, never a score; the table"
            " shows the pipeline working end to end, not what a capable model scores."
        )
    return (
        f"no real grade: every run ended in an infrastructure outcome ({counts}), which says nothing about"
        f" {model_label}; on a busy machine generation runs past the sweep's timeout_s. Run"
        " `python ops/run_local.py --rerun` when the machine is quieter."
    )


if __name__ == "__main__":
    sys.exit(main())
