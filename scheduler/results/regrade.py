"""Grading a sweep's stored responses again with the current graders, without generating.

Each job's latest generation is graded once per grader version; a job with repair turns has one
per turn (each turn's latest generation, its answer), and every turn is graded, so its per-turn
figures rest on one grader version. `grade(job_id, generation_id=G, regrade=True, grade_round=R)`
goes to the CPU workers (or runs here with `local=True`). A generation whose newest grade of ours
is by the current version is skipped unless forced, which adds a round above the highest stored
one of that version. A regrade writes no feedback and sends no turn: the feedback a model was sent
stays the conversation's history (scheduler/db/turns.py). Imported grades (the article's) are
never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import exams
from scheduler.core.messages import publish_grade
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.lifecycle import store_grade
from scheduler.db.results import count_grades, regrade_candidates, response_of
from scheduler.db.vocabulary import Outcome
from scheduler.results.runs import load_runs

GRADABLE_OUTCOMES = (Outcome.OK, Outcome.TRUNCATED)


@dataclass(frozen=True)
class RegradeItem:
    """One stored generation to grade again (the answer of the job's turn `turn`)."""

    job_id: int
    generation_id: int
    exam: str
    grader_version: str
    grade_round: int
    turn: int = 1


@dataclass
class RegradePlan:
    """What a regrade will do, and what it leaves out and why."""

    sweep: str
    items: list[RegradeItem] = field(default_factory=list)
    already: int = 0  # responses (turns' answers) graded by the current version already
    skipped: list[str] = field(default_factory=list)
    turns: int = 1  # the most turns any job of the sweep has answered

    def lines(self) -> list[str]:
        """A human summary: responses count every turn's answer of a job with repair turns."""
        across = f" across turns 1 to {self.turns}" if self.turns > 1 else ""
        out = [
            (
                f"{self.sweep}: {len(self.items)} responses to grade{across}, {self.already} already graded "
                "by the current graders"
            )
        ]
        return out + [f"skipped: {s}" for s in self.skipped]


def plan_regrade(conn: Any, sweep: str, *, force: bool = False) -> RegradePlan:
    """Which generations of `sweep` to grade (every turn's answer of each job), with which grader
    version and round."""
    load_runs(conn, sweep)  # names the sweep in the error when it does not exist
    plan = RegradePlan(sweep)
    versions: dict[str, str | None] = {}
    for row in regrade_candidates(conn, sweep):
        exam = row["exam"]
        if exam not in versions:
            try:
                versions[exam] = exams.get_exam(exam).grader_version
            except exams.ExamError as exc:
                versions[exam] = None
                plan.skipped.append(f"exam {exam}: no grader available ({exc})")
        version = versions[exam]
        if version is None:
            continue
        turn = int(row["turn"])
        plan.turns = max(plan.turns, turn)
        where = f"job {row['job_id']} ({exam})" + (f" turn {turn}" if turn > 1 else "")
        if row["outcome"] not in GRADABLE_OUTCOMES:
            plan.skipped.append(f"{where}: generation outcome {row['outcome']}, nothing to grade")
            continue
        if row["empty"]:
            plan.skipped.append(f"{where}: no response text ({row['error'] or 'empty'})")
            continue
        ours = [v.rsplit(":", 1) for v in row["ours"]]  # oldest first: the reports use the last
        rounds = [int(r) for v, r in ours if v == version]
        if ours and ours[-1][0] == version and not force:
            plan.already += 1
            continue
        plan.items.append(
            RegradeItem(row["job_id"], row["generation_id"], exam, version, max(rounds, default=0) + 1, turn)
        )
    return plan


def send_regrade(settings: Settings, plan: RegradePlan) -> int:
    """Send one regrade message per item to the CPU queue; return how many were sent."""
    kwargs = [
        {"generation_id": i.generation_id, "regrade": True, "grade_round": i.grade_round} for i in plan.items
    ]
    return publish_grade(settings, [item.job_id for item in plan.items], kwargs)


def grade_locally(
    conn: Any,
    plan: RegradePlan,
    progress: Callable[[RegradeItem, str], None] | None = None,
    worker_name: str | None = None,
) -> int:
    """Grade every item in this process (no worker needed); return how many grades were stored."""
    stored = 0
    for item in plan.items:
        row = response_of(conn, item.generation_id)
        conn.rollback()
        assert row is not None, f"generation {item.generation_id} vanished"
        started = datetime.now(UTC)
        result = exams.grade(item.exam, row["response_text"], finish_reason=row["finish_reason"])
        store_grade(
            item.job_id,
            item.generation_id,
            result,
            lease_owner=None,
            grade_round=item.grade_round,
            worker_name=worker_name,
            started_at=started,
        )
        stored += 1
        if progress is not None:
            progress(item, str(result.verdict))
    return stored


def count_done(conn: Any, plan: RegradePlan) -> int:
    """How many of the plan's items have their grade stored."""
    done = count_grades(conn, [(i.generation_id, i.grader_version, i.grade_round) for i in plan.items])
    conn.rollback()
    return done


def wait_for_grades(
    settings: Settings,
    plan: RegradePlan,
    timeout_s: float,
    poll_s: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Poll until every item is graded or `timeout_s` passes; return how many are graded."""
    deadline = time.monotonic() + timeout_s
    with connect(settings) as conn:
        while True:
            done = count_done(conn, plan)
            if progress is not None:
                progress(done, len(plan.items))
            if done >= len(plan.items) or time.monotonic() >= deadline:
                return done
            time.sleep(poll_s)
