"""Extraction time on pathological answers (testkit/pathological.py), before and after, side by side.

"Before" is `exams/extract.py` and `exams/harmony.py` as they were at `--before` (a git revision,
default the commit the linear extractor replaced), loaded from git into a scratch folder; "after"
is the working tree's. Each (kind, side) runs in a subprocess of its own, one after the other,
with a limit of CPU seconds (a quadratic extractor on a 1 MB input can take minutes); a crash is reported
by its exception's name. Prints CPU seconds of the extracting process (`time.process_time`, so
other work on a shared machine weighs less than in wall time; after: the median of `--repeat`
runs, before: one run) and the ratio before/after.

    python -m bench.extraction [--size 1000000] [--repeat 3] [--timeout-s 120] [--before REV]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from testkit.pathological import FILE, KINDS

REPO_ROOT = Path(__file__).resolve().parent.parent
BEFORE = "342a4db"  # main before the extractor was made linear (issue 23)

_RUNNER = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from exams.extract import extract_files
from testkit.pathological import KINDS
text = KINDS[sys.argv[3]](int(sys.argv[4]))
times = []
try:
    for _ in range(int(sys.argv[5])):
        start = time.process_time()
        result = extract_files(text, [sys.argv[6]])
        times.append(time.process_time() - start)
    print(json.dumps({"s": statistics.median(times), "files": sorted(result.files)}))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__}))
"""


def _before_tree(revision: str, folder: Path) -> Path:
    """An `exams` package holding only the extractor as it was at `revision` (it imports nothing else)."""
    package = folder / "exams"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("extract.py", "harmony.py"):
        old = subprocess.run(
            ["git", "show", f"{revision}:exams/{name}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (package / name).write_text(old)
    return folder


def _time(tree: str, kind: str, size: int, repeat: int, timeout_s: float) -> dict[str, object]:
    command = [sys.executable, "-c", _RUNNER, str(REPO_ROOT), tree, kind, str(size), str(repeat), FILE]
    limit = math.ceil(timeout_s)

    def cpu_limit() -> None:  # the time limit in CPU seconds, like the times measured
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))

    done = subprocess.run(command, capture_output=True, text=True, preexec_fn=cpu_limit, check=False)
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return {"error": f"over {limit} s"}
    if done.returncode != 0 or not done.stdout.strip():
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _cell(result: dict[str, object]) -> str:
    return f"{result['s']:.3f} s" if "s" in result else str(result["error"])


def main() -> None:
    """Time every pathological kind with the old and the new extractor; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per input")
    parser.add_argument("--repeat", type=int, default=3, help="runs per (kind, side); the median is shown")
    parser.add_argument("--timeout-s", type=float, default=120.0, help="CPU seconds allowed per (kind, side)")
    parser.add_argument("--before", default=BEFORE, help="git revision of the old extractor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before_tree = str(_before_tree(args.before, Path(scratch)))
        print(f"size {args.size} characters, median of {args.repeat}; before = {args.before}\n")
        print("| input | before | after | before/after | after extracts |")
        print("| --- | --- | --- | --- | --- |")
        for kind in KINDS:
            before = _time(before_tree, kind, args.size, 1, args.timeout_s)
            after = _time("", kind, args.size, args.repeat, args.timeout_s)
            ratio = "-"
            if "s" in before and "s" in after:
                ratio = f"{float(before['s']) / max(float(after['s']), 1e-6):.1f}x"  # type: ignore[arg-type]
            elif "s" in after and str(before["error"]).startswith("over"):
                ratio = f"> {args.timeout_s / max(float(after['s']), 1e-6):.0f}x"  # type: ignore[arg-type]
            elif "s" in after:
                ratio = "before failed"
            files = ", ".join(after.get("files", [])) or "-"  # type: ignore[arg-type]
            print(f"| {kind} | {_cell(before)} | {_cell(after)} | {ratio} | {files} |", flush=True)


if __name__ == "__main__":
    main()
