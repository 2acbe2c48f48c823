"""Reports: a sweep's results as the article's tables and what it lacked, in md, csv, json or html.

`build_report(conn, sweep)` reads Postgres once; `render(report, fmt)` turns it into text.
"""

from __future__ import annotations

from scheduler.reports.render import ReportFormat, render, write_report
from scheduler.reports.report import Report, build_report
from scheduler.results.runs import GradeChoice, UnknownReportSweep

__all__ = [
    "GradeChoice",
    "Report",
    "ReportFormat",
    "UnknownReportSweep",
    "build_report",
    "render",
    "write_report",
]
