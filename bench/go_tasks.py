"""Exam go-tasks: stability under load, grading time, and seeds needed to separate two models.

Three measurements, and ``validation``, which runs all three and rewrites the generated part of
exams/go-tasks/VALIDATION.md (between its ``<!-- generated:start -->`` and ``<!-- generated:end -->``
lines) for every task of the exam:

- ``flakiness``: every task's reference judged R times and each known-bad r times while K busy
  processes load the CPUs (one whole grade, then more runs of the same compiled test binary, as
  the grader runs it); counts outcomes off expectation and cases whose outcome flipped.
- ``grade``: seconds to grade one task (the reference, warm Go cache), per task and overall.
- ``seeds``: a simulation of how many seeds an exam needs before a two-sided test at 5% tells
  apart two models whose per-item pass rates differ by 10 points (power 80%), go-tasks against
  v1 and v2, side by side (see `simulate_seeds` for the model of each exam).

Run: ``python -m bench.go_tasks flakiness [--repeat 20] [--bad-repeat 3] [--load 2]``,
``python -m bench.go_tasks grade [--n 5]``, ``python -m bench.go_tasks seeds``,
``python -m bench.go_tasks validation [--repeat 20] [--bad-repeat 5] [--load 2] [--n 3] [--out PATH]``;
``python -m bench.go_tasks readme [TASK...]`` writes tasks' rows (from their task.toml) into the
README's tables of tasks, known-bad and second solutions.

A case's repeats are ``--repeat`` for the correct solutions (the reference and each ``alt/``) and
``--bad-repeat`` for the known-bad ones.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import exams
from bench.exams_v1 import _burn
from exams.extract import extract_files
from exams.gotest import estimate
from exams.gotest.exam import TEST_MODULE, GoTask, share, with_package
from exams.gotest.guard import TEST_DIR, test_files
from exams.gotest.runner import run_tests
from exams.gotest.task import DIFFICULTIES, Task
from exams.registry import QualificationCase, get_exam, job_exams
from exams.sandbox import Workspace
from exams.types import Verdict


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered):.2f}s  p90 {p90:.2f}s  max {ordered[-1]:.2f}s  (n={len(ordered)})"


def _repeat_runs(task: GoTask, response: str, runs: int) -> list[tuple[float, tuple[tuple[str, bool], ...]]]:
    """Compile the response's file with the hidden tests once and run the test binary `runs` times,
    exactly as the grader runs it: (score, (test, passed)...) per run. The build is deterministic
    (Go's cache); what could flip between repeats is a test's verdict."""
    source = task.normalize_response(response)
    extraction = extract_files(source, task.expected_files)
    solution = with_package(extraction.files[task.task.file_name], task.task.package)
    files = test_files(task.task.package, solution, task.task.test_source(), TEST_MODULE)
    outcomes = []
    with Workspace() as ws:
        built = ws.build_test(TEST_DIR, files, module=TEST_MODULE, race=task.task.race)
        binary = built.binary
        assert binary is not None, built.reason
        for _ in range(runs):
            run = run_tests(
                ws,
                binary,
                task.task.test_names,
                race=task.task.race,
                test_timeout_s=task.suite.test_timeout_s,
            )
            assert not run.fault, run.fault
            checks = tuple((name, o.passed) for name, o in run.outcomes.items())
            outcomes.append((share(sum(p for _, p in checks), len(checks)), checks))
    return outcomes


@dataclass
class CaseRuns:
    """One qualification case of one task: its whole grade's time and every run's outcome."""

    task: str
    case: QualificationCase
    grade_s: float
    outcomes: list[tuple[float, tuple[tuple[str, bool], ...]]]

    @property
    def correct(self) -> bool:
        """The reference or a second correct solution (every test must pass)."""
        return self.case.expected_verdict is Verdict.OK

    @property
    def off(self) -> int:
        """Runs whose outcome differs from the case's expectation."""
        expected = (self.case.expected_score, tuple(self.case.expected_checks.items()))
        return sum(o != expected for o in self.outcomes)

    @property
    def flipped(self) -> bool:
        """Repeats of the case disagreed."""
        return len(set(self.outcomes)) > 1


@dataclass
class GateRun:
    """Every case of every task, repeated under load."""

    cases: list[CaseRuns]
    load: int
    load_before: float  # the one-minute load average when the run started
    elapsed_s: float


def gate_under_load(names: list[str], repeat: int, bad_repeat: int, load: int) -> GateRun:
    """Every correct solution `repeat` times and every known-bad `bad_repeat` times (hostile answers,
    bounded rather than exact, are left to `exams verify`) under `load` busy
    processes: one whole grade each (extraction, build, runs), then more runs of the same test binary."""
    load_before = os.getloadavg()[0]
    stop_at = time.monotonic() + 4 * 3600
    burners = [multiprocessing.Process(target=_burn, args=(stop_at,), daemon=True) for _ in range(load)]
    for proc in burners:
        proc.start()
    cases: list[CaseRuns] = []
    started = time.monotonic()
    try:
        for name in names:
            task = get_exam(name)
            assert isinstance(task, GoTask)
            for case in task.qualification_cases():
                if case.allowed_verdicts:  # a hostile answer: bounded, not exact; `exams verify` checks it
                    continue
                grade = exams.grade(name, case.response_text)
                first = (grade.score, tuple((c.name, c.passed) for c in grade.checks))
                n = repeat if case.expected_verdict is Verdict.OK else bad_repeat
                run = CaseRuns(
                    name, case, grade.duration_s, [first, *_repeat_runs(task, case.response_text, n - 1)]
                )
                cases.append(run)
                status = "ok" if not run.off else "OFF"
                print(f"{name:24s} {case.name:26s} x{len(run.outcomes):2d} {status}", flush=True)
    finally:
        for proc in burners:
            proc.terminate()
    return GateRun(cases, load, load_before, time.monotonic() - started)


def bench_flakiness(repeat: int, bad_repeat: int, load: int) -> None:
    """Print the gate under load (see gate_under_load)."""
    run = gate_under_load(job_exams("go-tasks"), repeat, bad_repeat, load)
    runs = sum(len(c.outcomes) for c in run.cases)
    correct = [c for c in run.cases if c.correct]
    full = sum(o[0] == 1.0 for c in correct for o in c.outcomes)
    print(
        f"\n{runs} test-binary runs under {load} busy processes in {run.elapsed_s:.0f}s; "
        f"whole grades {_stats([c.grade_s for c in run.cases])}"
    )
    print(f"correct-solution runs with every test passed: {full}/{sum(len(c.outcomes) for c in correct)}")
    print(f"cases with a flipped outcome: {[f'{c.task}:{c.case.name}' for c in run.cases if c.flipped]}")
    print(f"cases off expectation       : {[f'{c.task}:{c.case.name}' for c in run.cases if c.off]}")


def grade_times(names: list[str], n: int) -> dict[str, list[float]]:
    """`n` whole grades of each task's reference with a warm Go cache (one unmeasured grade first)."""
    times: dict[str, list[float]] = {}
    for name in names:
        reference = get_exam(name).qualification_cases()[0].response_text
        exams.grade(name, reference)
        times[name] = []
        for _ in range(n):
            grade = exams.grade(name, reference)
            assert grade.score == 1.0, (name, grade.log)
            times[name].append(grade.duration_s)
        print(f"{name:24s} {_stats(times[name])}", flush=True)
    return times


def bench_grade(n: int) -> None:
    """Grade time of each task's reference with a warm Go cache, beside v1's reference in the same run."""
    v1_reference = get_exam("v1").qualification_cases()[0].response_text
    exams.grade("v1", v1_reference)
    medians: dict[str, float] = {}
    every: list[float] = []
    v1_times: list[float] = []
    for name in job_exams("go-tasks"):
        reference = get_exam(name).qualification_cases()[0].response_text
        exams.grade(name, reference)  # warm: this task's packages and the test binary's deps
        samples = []
        for _ in range(n):
            grade = exams.grade(name, reference)
            assert grade.score == 1.0, (name, grade.log)
            samples.append(grade.duration_s)
        v1_times.append(exams.grade("v1", v1_reference).duration_s)  # interleaved: the same load
        medians[name] = statistics.median(samples)
        every += samples
        print(f"{name:24s} {_stats(samples)}", flush=True)
    slowest = max(medians, key=lambda k: medians[k])
    print(f"\nall tasks: {_stats(every)}; slowest task median: {slowest} {medians[slowest]:.2f}s")
    print(f"v1 reference, same run: {_stats(v1_times)}")
    print(f"ratio go-task / v1 grade (medians): {statistics.median(every) / statistics.median(v1_times):.2f}")
    print(f"goal: median grade time < 2 s -> {'met' if statistics.median(every) < 2 else 'NOT met'}")


# --- seeds needed ----------------------------------------------------------------------------------

Exam = Callable[[random.Random, float], float]  # (rng, per-item pass rate) -> one seed's score


def go_tasks_exam(n_tasks: int) -> Exam:
    """go-tasks: independent tasks, each solved (score 1) with rate p, else 0. Partial credit (a
    share of a task's tests) is left out: it can only add information a real sweep has."""

    def score(rng: random.Random, p: float) -> float:
        return float(sum(rng.random() < p for _ in range(n_tasks)))

    return score


def v1_exam(rng: random.Random, p: float) -> float:
    """v1: three programs in one response, each right (5 points) with rate p; a wrong one builds and
    runs (2 points) as it does for most of the article's models."""
    return float(sum(5 if rng.random() < p else 2 for _ in range(3)))


def v2_exam(rng: random.Random, p: float) -> float:
    """v2: one response whose ten tests stand or fall together, as the article's responses show (a
    response that works scores 9-10, one that does not builds and scores about 2)."""
    return float(rng.choice((9, 10))) if rng.random() < p else float(rng.choice((0, 1, 2, 3)))


def separated(rng: random.Random, exam: Exam, p: float, delta: float, seeds: int, alpha: float) -> bool:
    """One simulated sweep: Welch's two-sided test on `seeds` scores per model rejects equality."""
    a = [exam(rng, p) for _ in range(seeds)]
    b = [exam(rng, p + delta) for _ in range(seeds)]
    var = statistics.variance(a) / seeds + statistics.variance(b) / seeds
    if var == 0:
        return statistics.mean(a) != statistics.mean(b)
    z = abs(statistics.mean(b) - statistics.mean(a)) / var**0.5
    # The normal quantile slightly favours small samples over Student's t; the comparison between
    # exams, which is the point, is unaffected (all use the same test).
    return z > NormalDist().inv_cdf(1 - alpha / 2)


def seeds_needed(
    exam: Exam,
    p: float,
    delta: float,
    power: float = 0.8,
    alpha: float = 0.05,
    trials: int = 600,
    max_seeds: int = 200,
) -> int | None:
    """The fewest seeds per model with which `power` of simulated sweeps separate the models."""
    rng = random.Random(1234)
    seeds = 2
    while seeds <= max_seeds:
        hits = sum(separated(rng, exam, p, delta, seeds, alpha) for _ in range(trials))
        if hits / trials >= power:
            return seeds
        seeds = seeds + 1 if seeds < 20 else int(seeds * 1.15) + 1
    return None


SEED_RATES = (0.3, 0.5, 0.7, 0.85)


def seeds_table(n_tasks: int) -> list[tuple[str, list[int | None]]]:
    """Seeds per model to separate pass rates p and p + 0.10, for go-tasks of `n_tasks`, v1 and v2."""
    exams_model: dict[str, Exam] = {
        f"go-tasks ({n_tasks} tasks)": go_tasks_exam(n_tasks),
        "v1 (3 programs)": v1_exam,
        "v2 (1 response)": v2_exam,
    }
    return [(name, [seeds_needed(exam, p, 0.10) for p in SEED_RATES]) for name, exam in exams_model.items()]


def _seeds_lines(table: list[tuple[str, list[int | None]]]) -> list[str]:
    lines = ["seeds per model for 80% power at alpha 5%, per-item pass rate p against p + 0.10"]
    lines.append(f"{'exam':24s} " + " ".join(f"p={p:<5}" for p in SEED_RATES))
    for name, cells in table:
        lines.append(f"{name:24s} " + " ".join(f"{c if c is not None else '>200':<7}" for c in cells))
    return lines


def bench_seeds() -> None:
    """Seeds per model to separate pass rates p and p + 0.10 on each exam."""
    print("\n".join(_seeds_lines(seeds_table(len(job_exams("go-tasks"))))))


# --- VALIDATION.md -------------------------------------------------------------------------------

GENERATED_START = "<!-- generated:start -->"
GENERATED_END = "<!-- generated:end -->"
VALIDATION_MD = Path(__file__).resolve().parent.parent / "exams" / "go-tasks" / "VALIDATION.md"


def _task(name: str) -> Task:
    exam = get_exam(name)
    assert isinstance(exam, GoTask)
    return exam.task


def _runs(cases: list[CaseRuns]) -> int:
    return sum(len(c.outcomes) for c in cases)


def _median_p90(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def render_validation(
    gate: GateRun,
    times: dict[str, list[float]],
    seeds: list[tuple[str, list[int | None]]],
    command: str,
    day: str,
) -> str:
    """The generated part of VALIDATION.md: the gate, per-task grade times, seeds needed."""
    tasks = list(dict.fromkeys(c.task for c in gate.cases))
    correct = [c for c in gate.cases if c.correct]
    bad = [c for c in gate.cases if not c.correct]
    median, p90 = _median_p90([t for ts in times.values() for t in ts])
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    slowest = max(medians, key=lambda k: medians[k])
    cases = f"{len(tasks)} references, {len(correct) - len(tasks)} second solutions, {len(bad)} known-bad"
    passed = sum(o[0] == 1.0 for c in correct for o in c.outcomes)
    summary = [
        ("tasks", str(len(tasks))),
        ("cases", f"{len(gate.cases)} ({cases})"),
        ("test-binary runs", str(_runs(gate.cases))),
        ("correct-solution runs with every test passed", f"{passed}/{_runs(correct)}"),
        (
            "known-bad runs that failed exactly their listed tests",
            f"{_runs(bad) - sum(c.off for c in bad)}/{_runs(bad)}",
        ),
        ("cases off expectation", str(sum(bool(c.off) for c in gate.cases))),
        ("cases whose outcome flipped between repeats", str(sum(c.flipped for c in gate.cases))),
        ("whole grades under that load", _stats([c.grade_s for c in gate.cases])),
        (
            "grade of a reference, warm cache, no load added by the bench",
            f"median {median:.2f} s, p90 {p90:.2f} s, slowest task {slowest} (median {medians[slowest]:.2f} s)",
        ),
    ]
    started = f"load average {gate.load_before:.1f} when it started"
    lines = [
        f"`{command}` ({day}; {started}, plus the bench's {gate.load} busy processes during the gate).",
        "",
        "| measured | result |",
        "| --- | --- |",
        *(f"| {what} | {result} |" for what, result in summary),
        "",
        "Per task: the gate's cases and runs under load, and the reference's grade time (warm cache).",
        "",
        "| task | difficulty | cases (alt, bad) | runs | off | flipped | grade median s | grade max s"
        + " | answer tokens (est.) | GPU s (est.) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in tasks:
        mine = [c for c in gate.cases if c.task == name]
        task = _task(name)
        alts = sum(c.correct for c in mine) - 1
        lines.append(
            f"| `{task.name}` | {task.difficulty} | {len(mine)} ({alts}, {len(mine) - alts - 1}) | "
            f"{_runs(mine)} | {sum(c.off for c in mine)} | {sum(c.flipped for c in mine)} | "
            f"{medians[name]:.2f} | {max(times[name]):.2f} | "
            f"{estimate.answer_tokens(task):.0f} | {estimate.generation_s(task):.0f} |"
        )
    pool = [_task(name) for name in tasks]
    quick = estimate.quick_set(pool)
    total_min = sum(map(estimate.generation_s, pool)) / 60
    quick_min = sum(estimate.generation_s(t) for t in pool if t.name in quick) / 60
    where = "Estimated GPU time of one seed of one model on the article's hardware (exams/gotest/estimate.py)"
    lines += [
        "",
        f"{where}: all {len(pool)} tasks {total_min:.0f} min; `quick`, {len(quick)} tasks, {quick_min:.0f} min.",
    ]
    lines += ["", "Seeds needed (`python -m bench.go_tasks seeds`, the same simulation):", "", "```"]
    lines += [*_seeds_lines(seeds), "```"]
    return "\n".join(lines)


def write_generated(path: Path, text: str) -> None:
    """Replace what lies between the generated markers of `path` with `text`."""
    doc = path.read_text()
    head, start, rest = doc.partition(GENERATED_START)
    _, end, tail = rest.partition(GENERATED_END)
    if not start or not end:
        raise SystemExit(f"{path}: needs a {GENERATED_START} line and a {GENERATED_END} line")
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}")


README_MD = VALIDATION_MD.with_name("README.md")
_ROW_TABLES = (  # the header each table starts with, and how its rows are ordered
    ("| task | difficulty | what it tests |", lambda row: (DIFFICULTIES.index(row.split(" | ")[1]), row)),
    ("| task | known-bad |", lambda row: row.split(" | ")[0]),
    ("| task | topics | second solution |", lambda row: row.split(" | ")[0]),
)


def readme_rows(task: Task) -> tuple[list[str], list[str], list[str]]:
    """A task's rows in the README's three tables: tasks and checks, known-bad, second solutions."""
    race = " (-race)" if task.race and "(-race)" not in task.tests_what else ""
    main = [
        f"| `{task.name}` | {task.difficulty} | {task.title}: {task.tests_what}{race} | {', '.join(task.test_names)} |"
    ]
    bad = [f"| `{task.name}` | `{b.file.name}` | {', '.join(b.fails)} | {b.why} |" for b in task.bad]
    alt = [f"| `{task.name}` | {', '.join(task.topics)} | `{a.file.name}` | {a.why} |" for a in task.alt]
    return main, bad, alt


def write_readme_rows(path: Path, tasks: list[Task]) -> None:
    """Put each task's rows into the README's tables, replacing its old rows there (by task name)."""
    lines = path.read_text().split("\n")
    for task in tasks:
        for (header, order), rows in zip(_ROW_TABLES, readme_rows(task), strict=True):
            start = next(i for i, line in enumerate(lines) if line.startswith(header)) + 2
            end = start
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            kept = [row for row in lines[start:end] if not row.startswith(f"| `{task.name}` |")]
            lines[start:end] = sorted(kept + rows, key=order)
    path.write_text("\n".join(lines))


def bench_validation(repeat: int, bad_repeat: int, load: int, n: int, out: Path) -> None:
    """Grade times, the gate under load and the seeds table for every task, written into `out`."""
    names = job_exams("go-tasks")
    times = grade_times(names, n)
    gate = gate_under_load(names, repeat, bad_repeat, load)
    seeds = seeds_table(len(names))
    command = f"python -m bench.go_tasks validation --repeat {repeat} --bad-repeat {bad_repeat} --load {load} --n {n}"
    write_generated(out, render_validation(gate, times, seeds, command, time.strftime("%Y-%m-%d")))
    off = [f"{c.task}:{c.case.name}" for c in gate.cases if c.off or c.flipped]
    print(f"wrote {out}; cases off expectation or flipped: {off or 'none'}")


def main() -> None:
    """Parse arguments and run one measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    flaky = sub.add_parser("flakiness")
    flaky.add_argument("--repeat", type=int, default=20)
    flaky.add_argument("--bad-repeat", type=int, default=3)
    flaky.add_argument("--load", type=int, default=2)
    grade = sub.add_parser("grade")
    grade.add_argument("--n", type=int, default=5)
    sub.add_parser("seeds")
    validation = sub.add_parser("validation")
    validation.add_argument("--repeat", type=int, default=20)
    validation.add_argument("--bad-repeat", type=int, default=5)
    validation.add_argument("--load", type=int, default=2)
    validation.add_argument("--n", type=int, default=3)
    validation.add_argument("--out", type=Path, default=VALIDATION_MD)
    readme = sub.add_parser("readme", help="write tasks' rows into exams/go-tasks/README.md's tables")
    readme.add_argument("tasks", nargs="*", help="task names (default: every task)")
    args = parser.parse_args()
    if args.what == "readme":
        names = [f"go-tasks/{t}" for t in args.tasks] or job_exams("go-tasks")
        write_readme_rows(README_MD, [_task(n) for n in names])
        return
    if args.what == "flakiness":
        bench_flakiness(args.repeat, args.bad_repeat, args.load)
    elif args.what == "grade":
        bench_grade(args.n)
    elif args.what == "seeds":
        bench_seeds()
    else:
        bench_validation(args.repeat, args.bad_repeat, args.load, args.n, args.out)


if __name__ == "__main__":
    main()
