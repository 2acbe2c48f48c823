"""The generators of exams/go-tasks/VALIDATION.md (what it counts; it rewrites only its part) and of the
README's task tables (they are what the tasks' task.toml say)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.go_tasks import (
    GENERATED_END,
    GENERATED_START,
    README_MD,
    CaseRuns,
    GateRun,
    render_validation,
    write_generated,
    write_readme_rows,
)
from exams.registry import get_exam, job_exams


def runs_of(name: str, flip_bad: bool) -> list[CaseRuns]:
    """Every case of task `name` as the gate would record it: correct ones pass every run; the
    first known-bad fails its tests, and (flip_bad) once passes everything instead."""
    cases: list[CaseRuns] = []
    for case in get_exam(name).qualification_cases():
        if case.allowed_verdicts:  # hostile answers stay out of the gate under load
            continue
        expected = (case.expected_score, tuple(case.expected_checks.items()))
        outcomes = [expected, expected, expected]
        if flip_bad and case.expected_score < 1 and not any(c.task == name and c.off for c in cases):
            outcomes[1] = (1.0, tuple((n, True) for n in case.expected_checks))
        cases.append(CaseRuns(name, case, 2.0, outcomes))
    return cases


def test_the_report_counts_cases_runs_and_flips_per_task() -> None:
    gate = GateRun(
        runs_of("go-tasks/roman", flip_bad=True) + runs_of("go-tasks/calc", flip_bad=False), 2, 3.5, 60.0
    )
    times = {"go-tasks/roman": [1.0, 2.0, 3.0], "go-tasks/calc": [4.0, 5.0, 6.0]}
    text = render_validation(
        gate, times, [("go-tasks (2 tasks)", [9, 8, None, 5])], "the command", "2026-12-07"
    )
    lines = text.splitlines()
    assert lines[0].startswith("`the command` (2026-12-07; load average 3.5 when it started")
    roman, calc = (get_exam(f"go-tasks/{n}").task for n in ("roman", "calc"))  # type: ignore[attr-defined]
    alts, bads = len(roman.alt) + len(calc.alt), len(roman.bad) + len(calc.bad)
    assert f"| cases | {2 + alts + bads} (2 references, {alts} second solutions, {bads} known-bad) |" in lines
    assert "| cases off expectation | 1 |" in lines
    assert "| cases whose outcome flipped between repeats | 1 |" in lines
    assert f"| known-bad runs that failed exactly their listed tests | {3 * bads - 1}/{3 * bads} |" in lines
    row = next(line for line in lines if line.startswith("| `roman` |"))
    cases = 1 + len(roman.alt) + len(roman.bad)
    assert row.startswith(
        f"| `roman` | easy | {cases} ({len(roman.alt)}, {len(roman.bad)}) | {3 * cases} | 1 | 1 | 2.00 | 3.00 | "
    )
    assert "slowest task go-tasks/calc (median 5.00 s)" in text
    seeds = next(line for line in lines if line.startswith("go-tasks (2 tasks)"))
    assert seeds.split()[3:] == ["9", "8", ">200", "5"]


def test_only_the_generated_part_is_rewritten(tmp_path: Path) -> None:
    doc = tmp_path / "VALIDATION.md"
    doc.write_text(f"# Title\n\nby hand\n\n{GENERATED_START}\nold numbers\n{GENERATED_END}\n\nmore by hand\n")
    write_generated(doc, "new numbers")
    write_generated(doc, "newer numbers")
    assert (
        doc.read_text()
        == f"# Title\n\nby hand\n\n{GENERATED_START}\nnewer numbers\n{GENERATED_END}\n\nmore by hand\n"
    )
    doc.write_text("no markers\n")
    with pytest.raises(SystemExit, match="needs a <!-- generated:start --> line"):
        write_generated(doc, "x")


def test_the_readme_tables_are_what_the_tasks_say(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(README_MD.read_text())
    write_readme_rows(copy, [get_exam(n).task for n in job_exams("go-tasks")])  # type: ignore[attr-defined]
    assert copy.read_text() == README_MD.read_text(), "run `python -m bench.go_tasks readme`"


def test_a_tasks_rows_replace_its_old_ones_in_order(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(README_MD.read_text().replace("| `calc` | hard |", "| `calc` | hard | STALE-ROW |", 1))
    calc = get_exam("go-tasks/calc").task  # type: ignore[attr-defined]
    write_readme_rows(copy, [calc])
    lines = copy.read_text().splitlines()
    assert "STALE-ROW" not in copy.read_text()
    hard = [line.split(" | ")[0] for line in lines if " | hard | " in line and line.startswith("| `")]
    assert hard == sorted(hard) and "| `calc`" in hard
    assert sum(line.startswith("| `calc` | `") for line in lines) == len(calc.bad)
