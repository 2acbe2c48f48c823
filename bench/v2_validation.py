"""Grade the article's 33 real exam-v2 responses with our grader and compare with the article's.

    python bench/v2_validation.py [--repeat 3] [--jobs 2] [--out exams/v2/VALIDATION.md] [--json PATH]

For each response under $QUANTSWEEP_ARTICLE_RESULTS/exam_v2/<model>/seed<S>/
(default ../shared/reference/article-results next to the repo), it grades the
response `--repeat` times, counts verdict flips (any check whose pass/fail
differs between repeats), and rewrites the generated table in VALIDATION.md
between its `<!-- generated:start -->` and `<!-- generated:end -->` lines,
keeping the hand-written explanations around it. Also prints grade times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from exams import grade
from exams.types import Grade
from exams.v2.harness import TEST_NAMES

SHORT = {
    "OnlineFlow": "OF",
    "BuffersDuringOutage": "BO",
    "FlushOnReconnect": "FR",
    "BufferBounded": "BB",
    "EvictionRandom": "ER",
    "MultipleOutageCycles": "MC",
    "BufferSizeZero": "B0",
    "BufferSizeOne": "B1",
    "GracefulShutdown": "GS",
    "RaceDetector": "RD",
}
START, END = "<!-- generated:start -->", "<!-- generated:end -->"


def article_dir() -> Path:
    """Where the article's published results are."""
    return Path(
        os.environ.get("QUANTSWEEP_ARTICLE_RESULTS", REPO.parent / "shared/reference/article-results")
    )


@dataclass
class Row:
    """One real response: the article's verdicts and our repeated grades."""

    model: str
    seed: str
    article_score: int
    article_max: int
    article_tests: dict[str, bool | None]  # None: the article's harness never ran it
    grades: list[Grade]

    @property
    def flips(self) -> list[str]:
        """Checks whose pass/fail was not the same in every repeat."""
        seen: dict[str, set[bool]] = {}
        for g in self.grades:
            for c in g.checks:
                seen.setdefault(c.name, set()).add(c.passed)
        verdicts = {g.verdict for g in self.grades}
        flipped = [name for name, values in seen.items() if len(values) > 1]
        return flipped + (["verdict"] if len(verdicts) > 1 else [])


def read_article(result_json: Path) -> tuple[int, int, dict[str, bool | None]]:
    """The article's score, max and per-test verdicts (from its summary string)."""
    data = json.loads(result_json.read_text())["eval"]
    tests: dict[str, bool | None] = dict.fromkeys(TEST_NAMES)
    for name, outcome in re.findall(r"(?:Test(?:Scenario/)?)(\w+):(PASS|FAIL)", data.get("summary", "")):
        if name in tests:
            tests[name] = outcome == "PASS"
    if data.get("summary", "").startswith("compile:FAIL"):
        tests = dict.fromkeys(TEST_NAMES, False)
    return int(data["score"]), int(data["max"]), tests


def mark(value: bool | None) -> str:
    return {True: "✓", False: "✗", None: "·"}[value]


def render(rows: list[Row], jobs: int) -> str:
    """The generated part of VALIDATION.md."""
    head = "| model | seed | article | ours | verdict | " + " | ".join(SHORT.values()) + " |"
    lines = [head, "|" + "---|" * (5 + len(SHORT))]
    for r in rows:
        g = r.grades[0]
        ours = {c.name: c.passed for c in g.checks}
        cells = []
        for name in TEST_NAMES:
            a, o = r.article_tests[name], ours.get(name)
            cell = mark(a) + mark(o if g.checks else None)
            cells.append(f"**{cell}**" if a is not None and o is not None and a != o else cell)
        lines.append(
            f"| {r.model} | {r.seed} | {r.article_score}/{r.article_max} | {g.score:g}/{g.max_score:g} | "
            f"{g.verdict.value} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "Per model (mean over the three seeds):",
        "",
        "| model | article mean | our mean | our compiles |",
    ]
    lines.append("|---|---|---|---|")
    models = sorted({r.model for r in rows})
    for m in models:
        mine = [r for r in rows if r.model == m]
        art = statistics.mean(r.article_score for r in mine)
        our_mean = statistics.mean(r.grades[0].score for r in mine)
        comp = sum(r.grades[0].compiled for r in mine)
        lines.append(f"| {m} | {art:.1f} | {our_mean:.1f} | {comp}/{len(mine)} |")
    flips = sum(len(r.flips) for r in rows)
    repeats = len(rows[0].grades) if rows else 0
    times = [g.duration_s for r in rows for g in r.grades]
    lines += [
        "",
        f"Repeats: each response graded {repeats} times; checks or verdicts that flipped: {flips}"
        + (
            ""
            if not flips
            else " (" + "; ".join(f"{r.model}/{r.seed}: {r.flips}" for r in rows if r.flips) + ")"
        ),
        (
            f"Grade time per response: median {statistics.median(times):.1f}s, max {max(times):.1f}s "
            f"({len(times)} grades, warm Go cache, {jobs} at a time on this machine)."
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "exams/v2/VALIDATION.md")
    parser.add_argument("--json", type=Path, help="also write every grade as JSON lines here")
    args = parser.parse_args()
    base = article_dir() / "exam_v2"
    if not base.is_dir():
        sys.exit(f"no article results at {base}: set QUANTSWEEP_ARTICLE_RESULTS")
    dirs = sorted(base.glob("*/seed*"))
    rows = [
        Row(d.parent.name, d.name.removeprefix("seed"), *read_article(d / "result.json"), []) for d in dirs
    ]
    texts = [(d / "response.txt").read_text() for d in dirs]
    jobs = [(i, t) for _ in range(args.repeat) for i, t in enumerate(texts)]
    with ThreadPoolExecutor(args.jobs) as pool:
        for (i, _), g in zip(jobs, pool.map(lambda job: grade("v2", job[1]), jobs), strict=True):
            rows[i].grades.append(g)
            lost = [SHORT[c.name] for c in g.checks if not c.passed]
            print(
                f"{rows[i].model}/{rows[i].seed}: {g.score:g} {g.verdict.value} {g.duration_s:.1f}s {lost}",
                flush=True,
            )
    table = render(rows, args.jobs)
    print(table)
    if args.json:
        with args.json.open("w") as f:
            for r in rows:
                for g in r.grades:
                    f.write(json.dumps({"model": r.model, "seed": r.seed, **g.to_json()}) + "\n")
    text = args.out.read_text() if args.out.exists() else f"# Exam v2 validation\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    args.out.write_text(f"{before}{START}\n{table}\n{END}{after}")


if __name__ == "__main__":
    main()
