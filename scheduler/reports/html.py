"""The report as one self-contained HTML page: the tables, and plots drawn as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from scheduler.reports.report import Report
from scheduler.reports.summary import ModelExamStats
from scheduler.reports.tables import families_with_quants

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.2rem .5rem}
th{background:#eef}td{text-align:right}td:first-child{text-align:left}
ul.notes{color:#555;font-size:.9rem}svg{background:#fafafa;border:1px solid #ddd;margin:.5rem 0}
svg text{font-size:11px}
"""


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    return start if high == low else start + (value - low) * (end - start) / (high - low)


def score_range_plot(stats: Sequence[ModelExamStats], exam_max: float) -> str:
    """Each model's mean (dot) and its min–max over seeds (bar), one row a model."""
    rows = [s for s in stats if s.scores.mean is not None]
    left, width, row_h = 190, 380, 18
    height = 30 + row_h * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{height}" role="img">']
    for tick in range(0, int(exam_max) + 1, max(1, int(exam_max) // 5)):
        x = _scale(tick, 0, exam_max, left, left + width)
        parts.append(f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{height - 15}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{height - 3}" text-anchor="middle">{tick}</text>')
    for i, s in enumerate(rows):
        y = 20 + i * row_h
        x0 = _scale(s.scores.minimum or 0, 0, exam_max, left, left + width)
        x1 = _scale(s.scores.maximum or 0, 0, exam_max, left, left + width)
        xm = _scale(s.scores.mean or 0, 0, exam_max, left, left + width)
        parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{escape(s.label)}</text>'
                     f'<line x1="{x0:.1f}" y1="{y}" x2="{x1:.1f}" y2="{y}" stroke="#888" stroke-width="3"/>'
                     f'<circle cx="{xm:.1f}" cy="{y}" r="5" fill="{COLORS[0]}"><title>{escape(s.label)}: '
                     f'{s.scores.mean:.2f} (n={s.scores.n})</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def scatter_plot(points: Sequence[tuple[float, float, str, int]], x_label: str, y_label: str,
                 y_max: float, lines: bool = False) -> str:
    """Labelled points (x, y, label, colour index); with `lines`, points of a colour are joined."""
    w, h, pad = 560, 320, 45
    if not points:
        return ""
    xs = [p[0] for p in points]
    x_low, x_high = min(xs) * 0.9, max(xs) * 1.1 or 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="#444"/>',
             f'<line x1="{pad}" y1="10" x2="{pad}" y2="{h - pad}" stroke="#444"/>',
             f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle">{escape(x_label)}</text>',
             (f'<text x="12" y="{h / 2}" transform="rotate(-90 12 {h / 2})" text-anchor="middle">'
             f'{escape(y_label)}</text>'),
             f'<text x="{pad - 4}" y="{h - pad}" text-anchor="end">0</text>',
             f'<text x="{pad - 4}" y="16" text-anchor="end">{y_max:g}</text>',
             f'<text x="{pad}" y="{h - pad + 14}" text-anchor="middle">{x_low:.1f}</text>',
             f'<text x="{w - 10}" y="{h - pad + 14}" text-anchor="end">{x_high:.1f}</text>']

    def place(x: float, y: float) -> tuple[float, float]:
        return _scale(x, x_low, x_high, pad, w - 10), _scale(y, 0, y_max, h - pad, 10)

    if lines:
        for colour in sorted({p[3] for p in points}):
            chain = sorted((p for p in points if p[3] == colour), key=lambda p: p[0])
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in (place(p[0], p[1]) for p in chain))
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{COLORS[colour % len(COLORS)]}"/>')
    for x, y, label, colour in points:
        px, py = place(x, y)
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{COLORS[colour % len(COLORS)]}">'
                     f'<title>{escape(label)}: {y:.2f}</title></circle>'
                     f'<text x="{px + 6:.1f}" y="{py - 4:.1f}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _plots(report: Report) -> list[str]:
    out = []
    for exam in sorted({s.exam for s in report.stats}):
        stats = [s for s in report.stats if s.exam == exam]
        maximum = report.exam_max.get(exam) or 1.0
        out.append(f"<h3>Exam {escape(exam)}: score by model (dot = mean, bar = range over seeds)</h3>")
        out.append(score_range_plot(stats, maximum))
        speed = [(s.decode_tps, s.scores.mean, s.label, 0) for s in stats
                 if s.decode_tps is not None and s.scores.mean is not None]
        if speed:
            out.append(f"<h3>Exam {escape(exam)}: score against decode tok/s</h3>")
            out.append(scatter_plot(speed, "decode tok/s", "mean score", maximum))
        families = list(families_with_quants(report.stats))
        sized = [(s.size_gb, s.scores.mean, s.quant or s.label, families.index(s.family)) for s in stats
                 if s.family in families and s.size_gb and s.scores.mean is not None]
        if sized:
            out.append(f"<h3>Exam {escape(exam)}: score against file size, per quant family "
                       f"({escape(', '.join(families))})</h3>")
            out.append(scatter_plot(sized, "size (GB)", "mean score", maximum, lines=True))
    return out


def render_html(report: Report) -> str:
    """The whole page: title, plots, then every table with its notes."""
    body = [f"<h1>Sweep {escape(report.sweep)}</h1>",
            (f"<p>{len(report.runs.runs)} jobs; grades used: {escape(report.grades.value)}; made "
            f"{report.created_at:%Y-%m-%d %H:%M} UTC.</p>"), "<h2>Plots</h2>", *_plots(report)]
    for table in report.tables:
        body.append(f'<h2 id="{escape(table.id)}">{escape(table.title)}</h2><table><thead><tr>')
        body.append("".join(f"<th>{escape(c)}</th>" for c in table.columns) + "</tr></thead><tbody>")
        for row in table.rows:
            body.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
        body.append("</tbody></table>")
        if table.notes:
            body.append('<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in table.notes) + "</ul>")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>quantsweep: {escape(report.sweep)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
