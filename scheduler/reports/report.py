"""Building a report from the database: every table computed once (rendered by `render`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scheduler.reports.compare import comparison_tables
from scheduler.reports.runs import GradeChoice, SweepRuns, load_runs
from scheduler.reports.summary import ModelExamStats, exam_max_scores, summarize_sweep
from scheduler.reports.tables import (
    Table,
    check_tables,
    exam_tables,
    outcome_table,
    paired_tables,
    quant_tables,
    speed_table,
)


@dataclass
class Report:
    """Everything a rendered report shows, computed once."""

    sweep: str
    grades: GradeChoice
    created_at: datetime
    runs: SweepRuns
    stats: list[ModelExamStats]
    exam_max: dict[str, float]
    tables: list[Table]

    def to_json(self) -> dict[str, Any]:
        """The JSON report: tables as shown and the numbers behind them."""
        return {
            "sweep": self.sweep,
            "grades": self.grades.value,
            "created_at": self.created_at.isoformat(),
            "jobs": len(self.runs.runs),
            "exam_max": self.exam_max,
            "stats": [s.to_json() for s in self.stats],
            "tables": [t.to_json() for t in self.tables],
        }


def build_report(conn: Any, sweep: str, grades: GradeChoice = GradeChoice.AUTO) -> Report:
    """Read the sweep's runs and compute every table."""
    runs = load_runs(conn, sweep)
    stats = summarize_sweep(runs, grades)
    maxima = exam_max_scores(runs.runs, grades)
    tables = [
        *exam_tables(stats, maxima),
        *quant_tables(stats),
        *paired_tables(stats),
        outcome_table(stats),
        *check_tables(stats),
        speed_table(stats),
        *comparison_tables(runs),
    ]
    return Report(sweep, grades, datetime.now(UTC), runs, stats, maxima, tables)
