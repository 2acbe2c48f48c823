"""Rendering a report as markdown, CSV, JSON or HTML (`html`), and writing it out atomically."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from enum import StrEnum
from pathlib import Path

from scheduler.core.errors import QuantsweepError
from scheduler.reports.report import Report


class ReportFormat(StrEnum):
    """Output formats of `scheduler report`."""

    MD = "md"  # markdown tables, the article's look
    CSV = "csv"  # long format: table, row, column, value
    JSON = "json"  # tables plus the raw numbers behind them
    HTML = "html"  # one self-contained page with plots


def render_markdown(report: Report) -> str:
    """The report as markdown tables."""
    out = [
        f"# Sweep {report.sweep}",
        "",
        (
            f"{len(report.runs.runs)} jobs; grades used: {report.grades.value}; "
            f"made {report.created_at:%Y-%m-%d %H:%M} UTC."
        ),
        "",
    ]
    for table in report.tables:
        out += [
            f"## {table.title}",
            "",
            "| " + " | ".join(table.columns) + " |",
            "|" + "|".join("---" for _ in table.columns) + "|",
        ]
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
    # Imported here: Altair and vl-convert take a second to load, and only the HTML page needs them
    # (the worker and `scheduler status` import this package for its statistics).
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
