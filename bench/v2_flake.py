"""Grade v2 qualification cases many times with both cores busy; report how often each got its expected grade.

    python bench/v2_flake.py [--repeat 50] [--case reference ...] [--burners 2]

Starts `--burners` CPU-bound processes (busy loops, killed at the end) so the
grader runs on a loaded machine, then grades each case `--repeat` times in a
row and prints: case, expected, times matched, distinct outcomes, median and
max grade time. Never asserts; the figures go in the issue note.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from exams import grade
from exams.v2.qualification import build_cases

BURN = "while True: pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--case", action="append", help="case name (default: reference)")
    parser.add_argument("--burners", type=int, default=2, help="busy-loop processes to run meanwhile")
    args = parser.parse_args()
    wanted = args.case or ["reference"]
    cases = [c for c in build_cases() if c.name in wanted]
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(args.burners)]
    try:
        for case in cases:
            matched, outcomes, times = 0, set(), []
            for i in range(args.repeat):
                g = grade("v2", case.response_text)
                got = {c.name: c.passed for c in g.checks}
                ok = (
                    got == case.expected_checks
                    and g.score == case.expected_score
                    and g.verdict == case.expected_verdict
                )
                matched += ok
                outcomes.add((g.score, g.verdict.value, tuple(sorted(got.items()))))
                times.append(g.duration_s)
                if not ok:
                    failed = {
                        c.name: c.detail for c in g.checks if got[c.name] != case.expected_checks.get(c.name)
                    }
                    print(
                        f"  repeat {i + 1}: {g.score:g} {g.verdict.value} {failed or g.log[-300:]}",
                        flush=True,
                    )
            print(
                f"{case.name}: expected {case.expected_score:g} {case.expected_verdict.value}; "
                f"matched {matched}/{args.repeat}; distinct outcomes {len(outcomes)}; "
                f"grade time median {statistics.median(times):.1f}s max {max(times):.1f}s "
                f"({args.burners} busy-loop processes alongside)",
                flush=True,
            )
    finally:
        for p in burners:
            p.kill()
            p.wait()
        time.sleep(0)


if __name__ == "__main__":
    main()
