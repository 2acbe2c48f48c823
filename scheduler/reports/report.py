"""Building a report from the database: every table computed once (rendered by `render`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scheduler.reports.compare import comparison_tables
from scheduler.reports.health import health_tables
from scheduler.reports.items import combine_items
from scheduler.reports.speed import read_speed_figures, speed_tables, with_single_stream
from scheduler.reports.tables import (
    Table,
    check_tables,
    exam_tables,
    outcome_table,
    paired_comparisons,
    paired_tables,
    pareto_tables,
    quant_tables,
    speed_table,
)
from scheduler.reports.turn_tables import turn_tables
from scheduler.reports.turns import Conversation, load_conversations, turn_figures
from scheduler.results.runs import GradeChoice, SweepRuns, load_runs
from scheduler.stats.comparisons import DEFAULT_MARGIN
from scheduler.stats.pareto import PARETO_AXES, pareto_models
from scheduler.stats.summary import ModelExamStats, exam_max_scores, summarize_sweep


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
    conversations: list[Conversation] = field(default_factory=list)  # jobs with repair turns

    def to_json(self) -> dict[str, Any]:
        """The JSON report: tables as shown and the numbers behind them."""
        return {
            "sweep": self.sweep,
            "grades": self.grades.value,
            "created_at": self.created_at.isoformat(),
            "jobs": len(self.runs.runs),
            "exam_max": self.exam_max,
            "stats": [s.to_json() for s in self.stats],
            "comparisons": [
                {"family": family, "exam": a.exam, "a": a.model, "b": b.model, **c.to_json()}
                for family, a, b, c in paired_comparisons(self.stats, self.runs.margin or DEFAULT_MARGIN)
            ],
            "pareto": {
                exam: {axis: [s.model for s in pareto_models(scored, axis)[1]] for axis in PARETO_AXES}
                for exam in sorted({s.exam for s in self.stats})
                if (scored := [s for s in self.stats if s.exam == exam and s.scores.mean is not None])
            },
            "tables": [t.to_json() for t in self.tables],
            "turns": [f.to_json() for f in turn_figures(self.conversations)],
            "conversations": [c.to_json() for c in self.conversations],
        }


def build_report(conn: Any, sweep: str, grades: GradeChoice = GradeChoice.AUTO) -> Report:
    """Read the sweep's runs and compute every table."""
    runs = load_runs(conn, sweep)
    per_exam = combine_items(runs)  # an exam of items (go-tasks) as one score per (model, seed)
    figures = read_speed_figures(conn, sweep, sorted({r.model for r in runs.runs}))
    stats = with_single_stream(summarize_sweep(per_exam, grades), figures)
    maxima = exam_max_scores(per_exam.runs, grades)
    tables = [
        *exam_tables(stats, maxima),
        *quant_tables(stats),
        *paired_tables(stats, runs.margin or DEFAULT_MARGIN),
        *pareto_tables(stats),
        outcome_table(stats),
        *check_tables(stats),
        *health_tables(stats, runs.margin or DEFAULT_MARGIN),
        speed_table(stats),
        *speed_tables(figures),
        *comparison_tables(runs),
    ]
    conversations = load_conversations(conn, sweep)
    tables += turn_tables(conversations, runs.margin or DEFAULT_MARGIN)
    return Report(sweep, grades, datetime.now(UTC), runs, stats, maxima, tables, conversations)
