"""Exam go-tasks: stability under load, grading time, and seeds needed to separate two models.

Three measurements:

- ``flakiness``: every task's reference judged R times and each known-bad r times while K busy
  processes load the CPUs (one whole grade, then more runs of the same compiled test binary, as
  the grader runs it); counts outcomes off expectation and cases whose outcome flipped.
- ``grade``: seconds to grade one task (the reference, warm Go cache), per task and overall.
- ``seeds``: a simulation of how many seeds an exam needs before a two-sided test at 5% tells
  apart two models whose per-item pass rates differ by 10 points (power 80%), go-tasks against
  v1 and v2, side by side (see `simulate_seeds` for the model of each exam).

Run: ``python -m bench.go_tasks flakiness [--repeat 20] [--bad-repeat 3] [--load 2]``,
``python -m bench.go_tasks grade [--n 5]``, ``python -m bench.go_tasks seeds``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from statistics import NormalDist

import exams
from bench.exams_v1 import _burn
from exams.extract import extract_files
from exams.gotest.exam import TEST_MODULE, GoTask, share, with_package
from exams.gotest.guard import TEST_DIR, test_files
from exams.gotest.runner import run_tests
from exams.registry import get_exam, job_exams
from exams.sandbox import Workspace


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


def bench_flakiness(repeat: int, bad_repeat: int, load: int) -> None:
    """Every reference `repeat` times and every known-bad `bad_repeat` times under `load` busy processes:
    one whole grade each (extraction, build, runs), then more runs of the same test binary."""
    stop_at = time.monotonic() + 4 * 3600
    burners = [multiprocessing.Process(target=_burn, args=(stop_at,), daemon=True) for _ in range(load)]
    for proc in burners:
        proc.start()
    off: list[str] = []
    flipped: list[str] = []
    grade_times: list[float] = []
    full = references = runs = 0
    started = time.monotonic()
    try:
        for name in job_exams("go-tasks"):
            task = get_exam(name)
            assert isinstance(task, GoTask)
            for case in task.qualification_cases():
                grade = exams.grade(name, case.response_text)
                grade_times.append(grade.duration_s)
                first = (grade.score, tuple((c.name, c.passed) for c in grade.checks))
                n = repeat if case.name == "reference" else bad_repeat
                outcomes = [first, *_repeat_runs(task, case.response_text, n - 1)]
                runs += len(outcomes)
                expected = (case.expected_score, tuple(case.expected_checks.items()))
                wrong = sum(o != expected for o in outcomes)
                if case.name == "reference":
                    references += len(outcomes)
                    full += sum(o[0] == 1.0 for o in outcomes)
                if wrong:
                    off.append(f"{name}:{case.name} ({wrong}/{len(outcomes)})")
                if len(set(outcomes)) > 1:
                    flipped.append(f"{name}:{case.name}")
                print(
                    f"{name:24s} {case.name:22s} x{len(outcomes):2d} {'ok' if not wrong else 'OFF'}",
                    flush=True,
                )
    finally:
        for proc in burners:
            proc.terminate()
    elapsed = time.monotonic() - started
    print(
        f"\n{runs} test-binary runs under {load} busy processes in {elapsed:.0f}s; whole grades {_stats(grade_times)}"
    )
    print(f"reference runs with every test passed: {full}/{references}")
    print(f"cases with a flipped outcome: {len(flipped)} {flipped}")
    print(f"cases off expectation       : {len(off)} {off}")


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


def bench_seeds() -> None:
    """Seeds per model to separate pass rates p and p + 0.10 on each exam."""
    tasks = job_exams("go-tasks")
    exams_model: dict[str, Exam] = {
        f"go-tasks ({len(tasks)} tasks)": go_tasks_exam(len(tasks)),
        "v1 (3 programs)": v1_exam,
        "v2 (1 response)": v2_exam,
    }
    rates = (0.3, 0.5, 0.7, 0.85)
    print("seeds per model for 80% power at alpha 5%, per-item pass rate p against p + 0.10")
    print(f"{'exam':24s} " + " ".join(f"p={p:<5}" for p in rates))
    for name, exam in exams_model.items():
        cells = [seeds_needed(exam, p, 0.10) for p in rates]
        print(f"{name:24s} " + " ".join(f"{c if c is not None else '>200':<7}" for c in cells))


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
    args = parser.parse_args()
    if args.what == "flakiness":
        bench_flakiness(args.repeat, args.bad_repeat, args.load)
    elif args.what == "grade":
        bench_grade(args.n)
    else:
        bench_seeds()


if __name__ == "__main__":
    main()
