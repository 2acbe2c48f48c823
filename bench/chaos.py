"""Each single fault mid-sweep, on real processes: what became of the jobs, and how fast they recovered.

    python -m bench.chaos [--jobs 8] [--fault NAME ...]

The rig is the chaos suite's (testkit/chaos.py): its own PostgreSQL cluster and redis-server (never
the machine's), the fake llama-swap replaying recorded v1 responses, one real
`worker gpu` and one real `worker cpu` grading with Go, the default visibility timeout (2 h),
a 4 s job lease and a 2 s reconciler interval. For each fault a fresh sweep of `--jobs` jobs is
submitted, the fault is injected mid-sweep and ended, and the script waits up to the bound
(180 s) for every job's verdict. It prints, per fault:

- jobs: the sweep's jobs;
- lost: finished generations thrown away (an attempt that produced a result which was not stored);
- duplicated: jobs with more than one stored generation or grade;
- stuck: jobs without a verdict when the bound passed;
- recovery s: from the fault's end until every job had its verdict (the remaining work included:
  the first row, a sweep with no fault timed from its first generation, is that work alone);
- the 1-minute load average before and after (the machine is shared: compare within a run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from testkit.chaos import BASELINE, FAULTS, Outcome, chaos_rig, run_fault


def main() -> int:
    """Run the faults and print the table; exit 1 if any job was lost, duplicated or stuck."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8, help="jobs per fault's sweep")
    parser.add_argument(
        "--fault", dest="faults", action="append", help="a fault's name (repeat; default: all)"
    )
    args = parser.parse_args()
    names = [BASELINE, *FAULTS] if not args.faults else list(args.faults)
    unknown = [n for n in names if n not in FAULTS and n != BASELINE]
    if unknown:
        parser.error(f"unknown fault(s) {unknown}; choose from {list(FAULTS)}")
    root = Path(tempfile.mkdtemp(prefix="quantsweep-chaos-"))
    rows: list[tuple[Outcome, float, float]] = []
    try:
        with chaos_rig(root) as rig:
            for i, name in enumerate(names):
                before = os.getloadavg()[0]
                outcome = run_fault(rig, name, f"chaos-{i}", list(range(1, args.jobs + 1)))
                rows.append((outcome, before, os.getloadavg()[0]))
                print(outcome.describe(), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"cores: {os.cpu_count()}")
    print("| fault | jobs | lost | duplicated | stuck | recovery s | load before / after |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for outcome, before, after in rows:
        recovery = "-" if outcome.recovery_s is None else f"{outcome.recovery_s:.1f}"
        print(
            f"| {outcome.fault} | {outcome.jobs} | {outcome.lost} | {outcome.duplicated} | {outcome.stuck} "
            f"| {recovery} | {before:.1f} / {after:.1f} |"
        )
    return 1 if any(o.lost or o.duplicated or o.stuck for o, _, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
