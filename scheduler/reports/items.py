"""Whole-exam runs for exams of items (go-tasks): one job per (model, seed, task), one score per seed.

A job of `go-tasks/lru` is one task; the report's tables show the exam `go-tasks` per (model, seed)
as the sum of its tasks, with one check per task (passed: full marks; points: the task's score), so
the per-check tables become per-task pass rates. The per-job rows stay as they are in exports.

A (model, seed) is graded only when all its tasks are. One infrastructure item does not void the
others: the seed is judged on the tasks that have a model verdict (its verdict is `ok` when every
one of them is, else test_fail, compile_fail or extract_fail), and its score is their share of
points on the whole exam's scale (26 judged tasks scoring 13 give 13.5 of 27), so seeds compare.
The tasks left out are named with their verdicts on the grade (`infra_items`), and comparisons
pair the tasks both sides judged (scheduler/stats/comparisons.py). Only a seed whose every task
ended in an infra verdict is set apart, with that verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from exams.registry import exam_of
from scheduler.db.vocabulary import INFRA_VERDICTS, JobState, Verdict
from scheduler.results.runs import GradeChoice, GradeRow, Run, SweepRuns


def _combined_grade(items: Sequence[Run], choice: GradeChoice) -> GradeRow | None:
    grades = [(r, r.grade(choice)) for r in items]
    if any(g is None for _, g in grades):
        return None
    present = [(r, g) for r, g in grades if g is not None]
    judged = [(r, g) for r, g in present if g.verdict not in INFRA_VERDICTS]
    verdicts = {g.verdict for _, g in judged}
    compiled = any(g.compiled for _, g in judged)
    full_marks = math.fsum(g.max_score for _, g in present)
    verdict: str
    if not judged:
        all_verdicts = {g.verdict for _, g in present}
        verdict = next(v for v in INFRA_VERDICTS if v in all_verdicts)
    elif verdicts == {Verdict.OK}:
        verdict = Verdict.OK
    elif compiled:
        verdict = Verdict.TEST_FAIL
    else:
        verdict = Verdict.COMPILE_FAIL if Verdict.COMPILE_FAIL in verdicts else Verdict.EXTRACT_FAIL
    judged_marks = math.fsum(g.max_score for _, g in judged)
    points = math.fsum(g.score for _, g in judged)
    score = points * full_marks / judged_marks if judged_marks else 0.0
    # A task with an infra outcome says nothing of the model: it gets no check (its pass rate's
    # denominator leaves it out), and the seed's score is the judged tasks' share of full marks.
    checks = [
        {"name": _item(r), "passed": g.verdict == Verdict.OK, "points": g.score, "max_points": g.max_score}
        for r, g in judged
    ]
    return GradeRow(
        grader_version=",".join(sorted({g.grader_version for _, g in present})),
        score=round(score, 4),
        max_score=full_marks,
        verdict=verdict,
        compiled=compiled,
        checks=checks,
        external=all(g.external for _, g in present),
        items=len(present),
        infra_items=tuple(f"{_item(r)}: {g.verdict}" for r, g in present if g.verdict in INFRA_VERDICTS),
    )


def _item(run: Run) -> str:
    return run.exam.partition("/")[2]


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def _total(values: Sequence[int | float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) if present else None


def combine(exam: str, items: Sequence[Run]) -> Run:
    """One whole-exam run from the item runs of one (model, seed)."""
    first = min(items, key=lambda r: r.job_id)
    pending = next((r for r in items if r.state != JobState.DONE), None)
    generated = [r for r in items if r.outcome is not None]
    completion = _total([r.completion_tokens for r in items])
    return replace(
        first,
        exam=exam,
        state=pending.state if pending else JobState.DONE,
        job_verdict=None,
        outcome=None if len(generated) < len(items) else first.outcome,
        finish_reason="length" if any(r.finish_reason == "length" for r in items) else first.finish_reason,
        prompt_tokens=int(_total([r.prompt_tokens for r in items]) or 0) or None,
        completion_tokens=int(completion) if completion is not None else None,
        prompt_tps=_mean([r.prompt_tps for r in items]),
        decode_tps=_mean([r.decode_tps for r in items]),
        wall_s=_total([r.wall_s for r in items]),
        ours=_combined_grade(items, GradeChoice.OURS),
        external=_combined_grade(items, GradeChoice.EXTERNAL),
        extra={"items": len(items)},
    )


def combine_items(sweep_runs: SweepRuns) -> SweepRuns:
    """The sweep's runs with every exam of items summed per (model, seed); other runs unchanged."""
    kept: list[Run] = []
    groups: dict[tuple[str, str, int], list[Run]] = {}
    for run in sweep_runs.runs:
        exam = exam_of(run.exam)
        if exam == run.exam:
            kept.append(run)
        else:
            groups.setdefault((run.model, exam, run.seed), []).append(run)
    combined = [combine(exam, items) for (_, exam, _), items in groups.items()]
    return replace(sweep_runs, runs=kept + combined)
