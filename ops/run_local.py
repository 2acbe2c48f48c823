#!/usr/bin/env python3
"""Run the `demo` sweep end to end on this machine (the README's `make demo`).

It checks Redis, Postgres, Go, llama-server and the model (naming what is missing and how to
get it), applies the schema, starts a real llama-server serving Gemma 3 270M (a base model, asked
as a plain completion of each task's file: its catalog entry says `prompt_style: completion`)
with Gemma's chat template (checked through /apply-template before anything is submitted), one
GPU worker (on CPU here) pointed at it and one CPU worker, submits the sweep, shows its progress
(a bar in a terminal, plain lines at a steady interval in a log), prints the results with a plain
statement of whether the graders got any of the model's code to build, and stops everything it
started.

    python ops/run_local.py [--rerun] [--timeout-s 1200] [--model PATH.gguf]

`--model` (`make demo MODEL=...`) runs the same sweep on the user's own GGUF instead: asked in
chat, with the GGUF's own chat template (Jinja), as the catalog entry `gguf-<file name>` of a copy
of the sweeps folder, in the sweep `demo-<that id>`.

It never waits on a sweep that cannot finish: a paused model (the infrastructure tripwire its
sweep ships), a llama-server that stopped answering, or jobs that nothing moves for STALL_S end
the run at once with one line saying which and what to do.

Logs of the processes it starts go to artifacts/local-run/.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local_processes import (
    CHAT_TEMPLATE,
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
    own_model_file,
    python_command,
    start_llama_server,
)
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from exams.types import MODEL_VERDICTS, Verdict

SWEEP = "demo"
STALL_S = 120.0  # no job changed state and none was running for this long: the sweep cannot progress
SERVER_SILENT_S = 60.0  # llama-server's /health unanswered this long: it stopped answering
HEALTH_EVERY_S = 5.0
# Verdicts given after the graders ran the Go toolchain on the model's code.
CODE_VERDICTS = frozenset({Verdict.OK, Verdict.TEST_FAIL, Verdict.COMPILE_FAIL})
# Off a terminal (a CI log, a file) a line is never wrapped: one message stays one line.
console = Console(width=None if sys.stdout.isatty() else 120, soft_wrap=not sys.stdout.isatty())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerun", action="store_true", help="run the sweep again even if it is done")
    parser.add_argument("--timeout-s", type=float, default=1200, help="give up after this long")
    parser.add_argument("--model", type=Path, help="a GGUF of your own to run the demo sweep on (chat style)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    from scheduler.core.settings import get_settings

    settings = get_settings()
    log_dir = REPO_ROOT / "artifacts" / "local-run"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        own = own_model_file(args.model) if args.model is not None else None
    except Missing as exc:
        console.print(f"[red]local run failed:[/red] {escape(str(exc))}")
        return 2
    binary, model = preflight(settings.redis_url, settings.database_url, own)
    children = Children(log_dir)
    # One machine, one model: the GPU worker consumes the model's queue from the start.
    # A short speed probe: the demo's model on a CPU shared with the graders (worker/speed_probe.py).
    probe = {"SPEED_PROBE_TOKENS": "32", "SPEED_PROBE_REPEATS": "2"}
    env = {
        "DISPATCH": "all",
        **probe,
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "LLAMA_SERVER": str(binary),
    }
    sweep, model_id = SWEEP, MODEL_ID
    if own is not None:
        sweep, model_id, env["SWEEPS_DIR"] = own_model_sweep(own, settings.sweeps_dir, log_dir / "sweeps")
    try:
        run_step("schema", python_command("scheduler.cli", "db", "upgrade"), env)
        console.print(f"starting llama-server ({binary}, {model.name})")
        template = None if own is not None else CHAT_TEMPLATE
        url = start_llama_server(children, binary, model, env, chat_template=template, alias=model_id)
        env["LLAMA_SWAP_URL"] = url
        console.print(server_line(url))
        if own is None:
            console.print(check_chat_template(url))
        host = env.get("WORKER_HOST") or "local"
        children.start("worker-gpu", python_command("worker.cli", "gpu", "--name", f"gpu-local@{host}"), env)
        children.start("worker-cpu", python_command("worker.cli", "cpu", "--name", f"cpu-local@{host}"), env)
        wait_announced(children, [f"gpu-local@{host}", f"cpu-local@{host}"])
        submit = ["submit", "--sweep", sweep, *(["--rerun"] if args.rerun else [])]
        run_step("submit", python_command("scheduler.cli", *submit), env)
        watch(children, started + args.timeout_s, sweep, model_id, url)
        print_results(sweep, model_id)
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


def preflight(redis_url: str, database_url: str, own: Path | None = None) -> tuple[Path, Path]:
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
        model = own or model_file()
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


def watch(children: Children, deadline: float, sweep: str, model_id: str, server_url: str) -> None:
    """Progress over the sweep's jobs until none is in flight; Missing with one line as soon as the
    sweep cannot finish: its model paused, the server silent, nothing moving, or the deadline.

    A live bar in a terminal; plain lines otherwise (scheduler/cli/progress.py), which a CI log or a
    file shows as they come instead of one bar drawn at the end. What the sweep's state is comes
    from `scheduler status`'s own reading (`scheduler.cli.status.collect`).
    """
    from scheduler.cli.progress import ProgressLines
    from scheduler.cli.status import collect
    from scheduler.db import connect
    from scheduler.db.vocabulary import JobState

    lines = ProgressLines(sys.stdout)
    server = ServerWatch(server_url, children)
    moved_at, last_states = time.monotonic(), {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        bar = progress.add_task(sweep, total=None)
        while True:
            children.check_alive()
            server.check()
            with connect() as conn:
                snap = collect(conn, sweep)
            counts = {state: n for state, n in snap.states.items() if n}
            states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != JobState.DONE)
            if console.is_terminal:
                progress.update(bar, total=snap.total, completed=snap.done, description=f"{sweep} {states}")
            else:
                lines.update([f"{sweep}: {snap.done}/{snap.total} done ({states or 'all done'})"])
            if snap.total and not set(counts) - {JobState.DONE, JobState.PENDING}:
                return
            stop_if_paused(snap.paused, model_id, counts)
            if counts != last_states or counts.get(JobState.GENERATING) or counts.get(JobState.GRADING):
                moved_at, last_states = time.monotonic(), counts
            elif time.monotonic() - moved_at > STALL_S:
                why = snap.recovery or "no worker took them (see artifacts/local-run/worker-gpu.log)"
                raise Missing(
                    f"the {sweep} sweep made no progress for {STALL_S:.0f} s with jobs {states}: {why};"
                    " `scheduler status` shows where they are, `python ops/run_local.py` runs the rest"
                )
            if time.monotonic() > deadline:
                raise Missing(
                    f"timed out with jobs {states}: the machine is slower than the demo's --timeout-s allows;"
                    " run `python ops/run_local.py --timeout-s 3600` to give it longer"
                )
            time.sleep(1.0)  # lost messages are re-sent by the workers' reconciler


def stop_if_paused(paused: list[dict[str, str]], model_id: str, counts: dict[str, int]) -> None:
    """Missing when the infrastructure tripwire paused the demo's model: its jobs would wait forever."""
    from scheduler.db.vocabulary import JobState
    from scheduler.fleet.pauses import resume_hint

    for pause in paused:
        if pause["model"] == model_id:
            waiting = counts.get(JobState.QUEUED, 0)
            raise Missing(
                f"the model {model_id} was paused ({pause['cause']}), so its {waiting} queued job(s) would"
                f" wait forever: see why in artifacts/local-run/llama-server.log and worker-gpu.log, fix the"
                f" server, then {resume_hint(model_id)} and run the demo again"
            )


class ServerWatch:
    """Whether llama-server still answers `/health`; Missing once it has not for SERVER_SILENT_S."""

    def __init__(self, url: str, children: Children) -> None:
        self.url = url
        self.children = children
        self.answered_at = self.asked_at = time.monotonic()

    def check(self) -> None:
        now = time.monotonic()
        if now - self.asked_at < HEALTH_EVERY_S:
            return
        self.asked_at = now
        try:
            if httpx.get(f"{self.url}/health", timeout=HEALTH_EVERY_S).status_code == 200:
                self.answered_at = now
        except httpx.HTTPError:
            pass
        if now - self.answered_at > SERVER_SILENT_S:
            raise Missing(
                f"llama-server at {self.url} stopped answering /health {now - self.answered_at:.0f} s ago"
                f" (log: {self.children.log_dir}/llama-server.log): stop anything else loading the machine"
                " and run the demo again"
            )


def server_line(url: str) -> str:
    """What the demo runs on: llama-server's build (`/props` build_info) and model."""
    try:
        props = httpx.get(f"{url}/props", timeout=10).json()
    except (httpx.HTTPError, ValueError):
        props = {}
    return f"llama-server build {props.get('build_info', 'unknown')}, serving {props.get('model_path', '?')}"


def own_model_sweep(model: Path, sweeps_dir: Path, folder: Path) -> tuple[str, str, str]:
    """A copy of the sweeps folder whose catalog holds the user's GGUF (chat style) and whose sweep
    `demo-<id>` is the demo sweep on it; returns (sweep, model id, folder)."""
    model_id = "gguf-" + (re.sub(r"[^a-z0-9]+", "-", model.stem.lower()).strip("-") or "model")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(sweeps_dir, folder)
    catalog = yaml.safe_load((folder / "models.yaml").read_text())
    catalog["models"][model_id] = {
        "label": model.name,
        "family": model_id,
        "quant": None,
        "size_gb": round(model.stat().st_size / 1e9, 2),
        "prompt_style": "chat",
    }
    (folder / "models.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    demo = yaml.safe_load((folder / f"{SWEEP}.yaml").read_text())
    demo.update(models=[model_id], description=f"The demo sweep on {model}.")
    sweep = f"{SWEEP}-{model_id}"
    (folder / f"{sweep}.yaml").write_text(yaml.safe_dump(demo, sort_keys=False))
    return sweep, model_id, str(folder)


def print_results(sweep: str = SWEEP, model_id: str = MODEL_ID) -> None:
    """The sweep's latest generation and grade per job, the server's mean decode rate, and whether
    any answer reached a real grade (its Go code built, or failed to build, under the graders)."""
    from scheduler.db import connect
    from scheduler.db.results import latest_results
    from scheduler.reports import cells

    with connect() as conn:
        rows = [r for r in latest_results(conn, sweep) if r["model"] == model_id]
    table = Table(title=f"sweep {sweep}: {model_id} through a real llama-server")
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
    console.print(grading_statement([r["verdict"] for r in rows], " and ".join(labels), sweep))


def grading_statement(verdicts: list[str | None], model_label: str, sweep: str = SWEEP) -> str:
    """One plain sentence: how many answers the graders judged on their Go code, or why none was."""
    graded = [v for v in verdicts if v in CODE_VERDICTS]
    counts = ", ".join(f"{n} {v}" for v, n in sorted(Counter(str(v) for v in verdicts).items()))
    if graded:
        return (
            f"real grades: {len(graded)} of {len(verdicts)} answers had their Go code compiled (and, where it"
            f" built, tested) by the graders ({counts}); `scheduler report --sweep {sweep}` shows each check."
        )
    if any(v in MODEL_VERDICTS for v in verdicts):
        return (
            f"no real grade: none of the {len(verdicts)} answers held Go code the graders could build ({counts})."
            f" {model_label} did not write a program these exams can grade, even prompted in the form"
            " its catalog entry gives (chat, or a completion of the file for a base model); the table"
            " shows the pipeline working end to end (truncated and timed-out runs are infrastructure"
            " outcomes, never a score), not what a capable model scores."
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
