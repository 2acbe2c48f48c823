"""The report as one self-contained HTML page: the plots (`plots`), drawn by Vega, then the tables.

The page carries the Vega, Vega-Lite and vega-embed JavaScript that vl-convert-python ships
(`vl_convert.javascript_bundle`), so it loads nothing and opens offline. Plots render as SVG.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape

import altair as alt
import vl_convert

from scheduler.reports.cells import EMPTY
from scheduler.reports.plots import Plot, exam_plots
from scheduler.reports.report import Report
from scheduler.reports.turn_tables import conversations_html

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
div.table{overflow-x:auto;margin:.5rem 0 1rem}table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.2rem .5rem}th{background:#eef}td{text-align:left}td.num{text-align:right}
ul.notes,p.plot-note{color:#555;font-size:.9rem}div.plot{margin:.5rem 0}
"""
# vegaEmbed each plot from its JSON spec; SVG, so the drawn marks are part of the page's DOM.
EMBED = """
for (const spec of document.querySelectorAll('script[type="application/json"][data-plot]')) {
  const element = document.getElementById(spec.dataset.plot);
  vegaEmbed(element, JSON.parse(spec.textContent), {renderer: "svg", actions: false})
    .catch(error => { element.textContent = "This plot could not be drawn: " + error; });
}
"""


@cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one script that sets `window.vegaEmbed`."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]  # the Vega-Lite the specs are written for
    bundle = vl_convert.javascript_bundle("window.vegaEmbed = vegaEmbed;", vl_version=f"{major}.{minor}")
    # Inside <script>, `</script` ends the element and `<!--` changes how the rest is parsed.
    if re.search(r"</script|<!--", bundle, re.IGNORECASE):
        raise RuntimeError("vl_convert.javascript_bundle() holds `</script` or `<!--`: it cannot be inlined")
    return bundle


def _plot_html(plot: Plot) -> str:
    # "<" as a JSON escape: no label can end the <script> element the spec sits in.
    spec = json.dumps(plot.spec, separators=(",", ":")).replace("<", "\\u003c")
    notes = "".join(f'<p class="plot-note">{escape(n)}</p>' for n in plot.notes)
    return (
        f"<h3>{escape(plot.title)}</h3>"
        f'<div class="plot" id="{escape(plot.id)}"></div>{notes}'
        f'<script type="application/json" data-plot="{escape(plot.id)}">{spec}</script>'
    )


def _plots(report: Report) -> list[str]:
    return [
        _plot_html(plot)
        for exam in sorted({s.exam for s in report.stats})
        for plot in exam_plots(report.stats, exam, report.exam_max.get(exam) or 1.0)
    ]


# A figure, a range, a ratio or a dash: right-aligned so digits line up; words stay left.
NUMERIC_CELL = re.compile(
    r"[-+−]?[\d.,]+( ?(%|GB|s|tok/s))?( to [-+−]?[\d.,]+)?|\d+/\d+( \(.*\))?|" + re.escape(EMPTY)
)


def _cell(text: str) -> str:
    numeric = NUMERIC_CELL.fullmatch(text.strip()) is not None
    return f'<td class="num">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"


def render_html(report: Report) -> str:
    """The whole page: title, plots, then every table with its notes."""
    body = [
        f"<h1>Sweep {escape(report.sweep)}</h1>",
        (
            f"<p>{len(report.runs.runs)} jobs; grades used: {escape(report.grades.value)}; made "
            f"{report.created_at:%Y-%m-%d %H:%M} UTC.</p>"
        ),
        "<h2>Plots</h2>",
        *_plots(report),
    ]
    for table in report.tables:
        body.append(
            f'<h2 id="{escape(table.id)}">{escape(table.title)}</h2><div class="table"><table><thead><tr>'
        )
        body.append("".join(f"<th>{escape(c)}</th>" for c in table.columns) + "</tr></thead><tbody>")
        for row in table.rows:
            body.append("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>")
        body.append("</tbody></table></div>")
        if table.notes:
            body.append(
                '<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in table.notes) + "</ul>"
            )
    body += conversations_html(report.conversations)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>quantsweep: {escape(report.sweep)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + f"\n<script>{vega_javascript()}</script><script>{EMBED}</script>\n</body></html>\n"
    )
