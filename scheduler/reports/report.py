"""Building a report from the database and rendering it as markdown, CSV or JSON (HTML in `html`)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from scheduler.errors import QuantsweepError
from scheduler.reports.compare import comparison_tables
from scheduler.reports.runs import GradeChoice, SweepRuns, load_runs
from scheduler.reports.summary import ModelExamStats, exam_max_scores, summarize_sweep
from scheduler.reports.tables import (
    Table,
    check_tables,
    exam_tables,
    outcome_table,
    paired_tables,
    pareto_tables,
    quant_tables,
    speed_table,
)
from scheduler.reports.verdicts import DEFAULT_MARGIN


class ReportFormat(StrEnum):
    """Output formats of `scheduler report`."""

    MD = "md"  # markdown tables, the article's look
    CSV = "csv"  # long format: table, row, column, value
    JSON = "json"  # tables plus the raw numbers behind them
    HTML = "html"  # one self-contained page with plots


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
        *paired_tables(stats, runs.margin or DEFAULT_MARGIN),
        *pareto_tables(stats),
        outcome_table(stats),
        *check_tables(stats),
        speed_table(stats),
        *comparison_tables(runs),
    ]
    return Report(sweep, grades, datetime.now(UTC), runs, stats, maxima, tables)


def render_markdown(report: Report) -> str:
    """The report as markdown tables."""
    out = [f"# Sweep {report.sweep}", "",
           (f"{len(report.runs.runs)} jobs; grades used: {report.grades.value}; "
           f"made {report.created_at:%Y-%m-%d %H:%M} UTC."), ""]
    for table in report.tables:
        out += [f"## {table.title}", "", "| " + " | ".join(table.columns) + " |",
                "|" + "|".join("---" for _ in table.columns) + "|"]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table.rows]
        out += [""] + [f"- {note}" for note in table.notes] + ([""] if table.notes else [])
    return "\n".join(out)


def render_csv(report: Report) -> str:
    """Every cell of every table as one line: table, row (its first cell), column, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    for table in report.tables:
        for i, row in enumerate(table.rows):
            key = f"{i + 1}:{row[0]}"
            for column, cell in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow([table.id, key, column, cell])
    return buffer.getvalue()


def render(report: Report, fmt: ReportFormat) -> str:
    """The report as text in `fmt`."""
    if fmt is ReportFormat.MD:
        return render_markdown(report)
    if fmt is ReportFormat.CSV:
        return render_csv(report)
    if fmt is ReportFormat.JSON:
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    from scheduler.reports.html import render_html

    return render_html(report)


def write_report(text: str, out: Path | None) -> None:
    """Write to `out` atomically (nothing half-written), or to stdout."""
    if out is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise QuantsweepError(f"--out {out}: directory {directory} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
