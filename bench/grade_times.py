"""Grade times of two versions of the graders, side by side in one run.

    python -m bench.grade_times --baseline DIR [--v1 N] [--v2 N] [--rounds R]

DIR is a checkout of the older code (e.g. ``git archive <commit> | tar -x -C DIR``). Each
version grades in a long-lived worker process of its own (this interpreter, with DIR or this
repository first on sys.path), both on the same warm Go cache; each response is graded by the
two workers in turn, the order alternating, so machine load falls on both alike. Responses: the
article's published ones (first N of each exam, sorted) and each exam's reference. Prints the
median and p90 seconds per response of each version, their ratio, and the machine's load
average before and after (other processes share it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTICLE = Path(os.environ.get("QUANTSWEEP_ARTICLE_RESULTS", REPO.parent / "shared/reference/article-results"))

WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import exams
from exams.registry import get_exam
assert exams.__file__.startswith(sys.argv[1]), exams.__file__
for line in sys.stdin:
    job = json.loads(line)
    text = open(job["path"]).read() if job["path"] else next(
        c.response_text for c in get_exam(job["exam"]).qualification_cases() if c.name == "reference")
    started = time.monotonic()
    grade = exams.grade(job["exam"], text)
    print(json.dumps({"s": time.monotonic() - started, "score": grade.score, "verdict": grade.verdict.value}), flush=True)
"""


class Worker:
    """One grader version in a subprocess: send a job, read its time and grade."""

    def __init__(self, tree: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tree)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tree,
        )

    def grade(self, exam: str, path: str) -> dict[str, object]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"exam": exam, "path": path}) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, object] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def _stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered):5.2f} s  p90 {p90:5.2f} s  (n={len(ordered)})"


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + f" on {os.cpu_count()} CPUs"


def main() -> None:
    """Grade each response with both versions, alternating, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the older code")
    parser.add_argument("--v1", type=int, default=33, help="article v1 responses to grade")
    parser.add_argument("--v2", type=int, default=4, help="article v2 responses to grade")
    parser.add_argument("--rounds", type=int, default=1, help="times each response is graded by each version")
    args = parser.parse_args()
    jobs = [("v1", "")] + [
        ("v1", str(p)) for p in sorted((ARTICLE / "exam_v1").rglob("response.txt"))[: args.v1]
    ]
    jobs += [("v2", "")] + [
        ("v2", str(p)) for p in sorted((ARTICLE / "exam_v2").rglob("response.txt"))[: args.v2]
    ]
    versions = {"before": Worker(args.baseline.resolve()), "after": Worker(REPO)}
    print(f"load before: {_load()}")
    for exam in ("v1", "v2"):  # warm the Go cache and the v2 harness for both versions
        for worker in versions.values():
            worker.grade(exam, "")
    times: dict[tuple[str, str], list[float]] = {}
    changed = []
    for round_ in range(args.rounds):
        for i, (exam, path) in enumerate(jobs):
            order = list(versions.items()) if (i + round_) % 2 == 0 else list(reversed(versions.items()))
            grades = {}
            for name, worker in order:
                grades[name] = worker.grade(exam, path)
                times.setdefault((exam, name), []).append(float(grades[name]["s"]))  # type: ignore[arg-type]
            if (grades["before"]["score"], grades["before"]["verdict"]) != (
                grades["after"]["score"],
                grades["after"]["verdict"],
            ):
                changed.append(f"{exam} {path or 'reference'}: {grades['before']} -> {grades['after']}")
    for worker in versions.values():
        worker.close()
    print(f"load after : {_load()}")
    for exam in ("v1", "v2"):
        before, after = times[(exam, "before")], times[(exam, "after")]
        print(f"{exam} before: {_stats(before)}")
        print(f"{exam} after : {_stats(after)}")
        print(
            f"{exam} ratio after/before (median): {statistics.median(after) / statistics.median(before):.2f}"
        )
    print(f"grades that changed: {len(changed)}")
    for line in changed:
        print("  " + line)


if __name__ == "__main__":
    main()
