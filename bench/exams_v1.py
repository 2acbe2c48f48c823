"""Exam v1 grading speed and grader stability.

Two measurements, printed side by side:

- ``grade``: seconds to grade one v1 response with a warm Go cache (goal: median under 2 s on
  the 2-core machine), for the reference response and for every published article response;
  and the build step alone (three programs, each built alone, in parallel).
  ``python -m bench.grade_times`` compares two versions of the graders side by side.
- ``flakiness``: ``exams verify --exam v1`` logic with a larger repeat count while K busy-loop
  processes load the CPUs; counts cases whose outcome flipped between repeats.

Run: ``python -m bench.exams_v1 grade [--n 10]`` or ``python -m bench.exams_v1 flakiness
[--repeat 10] [--load 2]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from pathlib import Path

import exams
from exams.sandbox import Workspace
from exams.v1.qualification import as_response, reference_sources
from exams.verify import verify_exam

ARTICLE = Path(
    os.environ.get(
        "QUANTSWEEP_ARTICLE_RESULTS", Path(__file__).resolve().parents[2] / "shared/reference/article-results"
    )
)


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered):.2f}s  p90 {p90:.2f}s  max {ordered[-1]:.2f}s  (n={len(ordered)})"


def bench_grade(n: int) -> None:
    """Grade time per response, warm cache, and the build step alone."""
    reference = as_response(reference_sources())
    exams.grade("v1", reference)  # warm the Go cache and the toolchain lookup
    ref_times = []
    for _ in range(n):
        started = time.monotonic()
        grade = exams.grade("v1", reference)
        ref_times.append(time.monotonic() - started)
        assert grade.score == 15, grade
    article_times = []
    for path in sorted((ARTICLE / "exam_v1").rglob("response.txt")):
        started = time.monotonic()
        exams.grade("v1", path.read_text())
        article_times.append(time.monotonic() - started)
    builds = []
    sources = reference_sources()
    for _ in range(n):
        with Workspace() as ws:
            started = time.monotonic()
            ws.build(sources)
            builds.append(time.monotonic() - started)
    print(f"reference response, warm cache   : {_stats(ref_times)}")
    if article_times:
        print(f"article responses, warm cache    : {_stats(article_times)}")
    print(f"build only, 3 programs, each alone: {_stats(builds)}")
    print(f"goal: median grade time < 2 s -> {'met' if statistics.median(ref_times) < 2 else 'NOT met'}")


def _burn(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


def bench_flakiness(repeat: int, load: int) -> None:
    """Verify v1 `repeat` times per case under `load` busy processes."""
    stop_at = time.monotonic() + 3600
    burners = [multiprocessing.Process(target=_burn, args=(stop_at,), daemon=True) for _ in range(load)]
    for proc in burners:
        proc.start()
    try:
        started = time.monotonic()
        results = verify_exam("v1", repeat=repeat)
        elapsed = time.monotonic() - started
    finally:
        for proc in burners:
            proc.terminate()
    flipped = [r.case.name for r in results if any("flipped" in p for p in r.problems)]
    wrong = [r.case.name for r in results if not r.passed]
    grades = sum(len(r.grades) for r in results)
    print(
        f"cases {len(results)} x repeat {repeat} = {grades} grades under {load} busy processes in {elapsed:.0f}s"
    )
    print(f"cases with a flipped outcome: {len(flipped)} {flipped}")
    print(f"cases off expectation       : {len(wrong)} {wrong}")


def main() -> None:
    """Parse arguments and run one measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    grade = sub.add_parser("grade")
    grade.add_argument("--n", type=int, default=10)
    flaky = sub.add_parser("flakiness")
    flaky.add_argument("--repeat", type=int, default=10)
    flaky.add_argument("--load", type=int, default=2)
    args = parser.parse_args()
    if args.what == "grade":
        bench_grade(args.n)
    else:
        bench_flakiness(args.repeat, args.load)


if __name__ == "__main__":
    main()
