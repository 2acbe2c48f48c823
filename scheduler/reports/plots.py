"""The report's plots, per exam, as Vega-Lite specifications drawn with Altair (the page renders them
with Vega: `html`).

Each exam gets: score by model, score against decode rate, score against GGUF size per quant family,
and the Pareto frontiers of `scheduler.stats.pareto.pareto_models`. A point is a model's mean score over seeds; its
error bar is the report's 95% interval (`stats.summarize`, the exam table's "95% CI"); hovering a
point shows its numbers as the tables print them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from scheduler.reports.cells import number as fmt_number
from scheduler.reports.cells import points as fmt_points
from scheduler.reports.tables import (
    fmt_ci,
    fmt_range,
    fmt_size,
)
from scheduler.stats.pairing import quant_families
from scheduler.stats.pareto import PARETO_AXES, pareto_models
from scheduler.stats.summary import ModelExamStats

WIDTH, HEIGHT = 560, 320  # pixels of one plot's data area
TOOLTIP = [
    alt.Tooltip("model:N", title="Model"),
    alt.Tooltip("mean_text:N", title="Mean"),
    alt.Tooltip("interval:N", title="95% CI"),
    alt.Tooltip("range:N", title="Range over seeds"),
    alt.Tooltip("n:Q", title="Seeds"),
    alt.Tooltip("tps_text:N", title="Decode tok/s"),
    alt.Tooltip("size_text:N", title="GGUF size"),
]


@dataclass
class Plot:
    """One plot of the page: an id for its element, a heading, the Vega-Lite spec, notes under it."""

    id: str
    title: str
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _row(s: ModelExamStats) -> dict[str, Any]:
    """A model's numbers (to place it) and their text as the tables print it (to hover)."""
    return {
        "model": s.label,
        "family": s.family,
        "quant": s.quant or s.label,
        "mean": s.scores.mean,
        "ci_low": s.scores.ci_low,
        "ci_high": s.scores.ci_high,
        "tps": s.decode_tps,
        "size_gb": s.size_gb,
        "n": s.scores.n,
        "mean_text": fmt_number(s.scores.mean, 2),
        "interval": fmt_ci(s),
        "range": fmt_range(s),
        "tps_text": fmt_number(s.decode_tps),
        "size_text": fmt_size(s.size_gb),
    }


def _data(rows: Sequence[dict[str, Any]]) -> alt.InlineData:
    return alt.InlineData(values=list(rows))


def _fit() -> alt.Scale:
    """A scale of decode rate or size: the data's range with padding, not from 0."""
    return alt.Scale(zero=False, nice=True, padding=12)


def score_scale(rows: Sequence[dict[str, Any]], exam_max: float) -> alt.Scale:
    """The score axis: the range of the means and intervals, padded by 5% (at least a tenth of a
    point), within 0 to full marks; close scores stay apart instead of sharing a tenth of the plot."""
    values = [v for r in rows for v in (r["mean"], r["ci_low"], r["ci_high"]) if v is not None]
    low, high = min(values, default=0.0), max(values, default=exam_max)
    pad = max(0.05 * (high - low), 0.1)
    return alt.Scale(domain=[max(0.0, low - pad), min(exam_max, high + pad)], nice=False)


def _score(rows: Sequence[dict[str, Any]], exam_max: float, field: str = "mean") -> dict[str, Any]:
    """The score channel of a layer (x or y): the mean, or an interval's low end (`ci_low`). Every
    layer names the axis the same, or Vega-Lite joins their titles."""
    return {
        "field": field,
        "type": "quantitative",
        "title": "95% CI low" if field == "ci_low" else "mean score",
        "scale": score_scale(rows, exam_max),
        "axis": alt.Axis(title=f"mean score (/{fmt_points(exam_max)}) and 95% CI"),
    }


def _left_out(stats: Sequence[ModelExamStats], shown: Sequence[ModelExamStats], what: str) -> list[str]:
    missing = [s.label for s in stats if s not in shown]
    return [f"Left out (no {what}): {', '.join(missing)}."] if missing else []


def score_by_model(stats: Sequence[ModelExamStats], exam_max: float) -> alt.LayerChart:
    """Each model's mean (dot) and 95% interval (bar), one row a model, best mean first."""
    rows = [_row(s) for s in sorted(stats, key=lambda s: -(s.scores.mean or 0.0))]
    y = alt.Y("model:N", sort=[r["model"] for r in rows], title=None, axis=alt.Axis(labelLimit=320))
    bars = (
        alt.Chart(_data([r for r in rows if r["ci_low"] is not None]))
        .mark_rule(strokeWidth=3, color="#9ab")
        .encode(
            y=y,
            x=alt.X(**_score(rows, exam_max, "ci_low")),
            x2=alt.X2("ci_high:Q", title="95% CI high"),
            tooltip=TOOLTIP,
        )
    )
    dots = (
        alt.Chart(_data(rows))
        .mark_point(filled=True, size=70, color="#1f77b4")
        .encode(y=y, x=alt.X(**_score(rows, exam_max)), tooltip=TOOLTIP)
    )
    return alt.LayerChart(layer=[bars, dots], width=WIDTH, height=alt.Step(20))


@dataclass(frozen=True)
class Axis:
    """The x of a scatter plot: a field of `_row` and its title."""

    field: str
    title: str

    def encode(self) -> alt.X:
        """The x channel, its scale fitted to the data."""
        return alt.X(f"{self.field}:Q", title=self.title, scale=_fit())


SPEED = Axis("tps", "decode tok/s")
SIZE = Axis("size_gb", "GGUF size (GB)")


def _error_bars(rows: Sequence[dict[str, Any]], x: Axis, exam_max: float, **encode: Any) -> alt.Chart:
    """Vertical rules from each row's interval low to high; `encode` adds channels (colour, opacity)."""
    bars: alt.Chart = (
        alt.Chart(_data([r for r in rows if r["ci_low"] is not None]))
        .mark_rule(strokeWidth=1.5)
        .encode(
            x=x.encode(),
            y=alt.Y(**_score(rows, exam_max, "ci_low")),
            y2=alt.Y2("ci_high:Q", title="95% CI high"),
            tooltip=TOOLTIP,
            **encode,
        )
    )
    return bars


@dataclass(frozen=True)
class Legend:
    """A field of `_row` drawn as colour or shape, with its legend's title."""

    field: str
    title: str


def score_against(
    rows: Sequence[dict[str, Any]],
    x: Axis,
    exam_max: float,
    color: Legend,
    shape: Legend,
    colors: alt.Scale,
    lines: bool = False,
) -> alt.LayerChart:
    """Mean score against `x` with error bars, coloured and shaped by two fields; with `lines`, the
    points of a colour are joined in order of `x`. A click on the colour legend picks one out."""
    pick = alt.selection_point(fields=[color.field], bind="legend")
    faded = alt.condition(pick, alt.value(0.9), alt.value(0.12))
    colour = alt.Color(
        f"{color.field}:N",
        title=color.title,
        scale=colors,
        sort=list(dict.fromkeys(r[color.field] for r in rows)),
    )
    y = alt.Y(**_score(rows, exam_max))
    layers: list[alt.Chart] = [_error_bars(rows, x, exam_max, color=colour, opacity=faded)]
    if lines:
        layers.append(
            alt.Chart(_data(rows))
            .mark_line()
            .encode(x=x.encode(), y=y, color=colour, order=f"{x.field}:Q", opacity=faded)
        )
    layers.append(
        alt.Chart(_data(rows))
        .mark_point(filled=True, size=90)
        .encode(
            x=x.encode(),
            y=y,
            color=colour,
            shape=alt.Shape(f"{shape.field}:N", title=shape.title),
            opacity=faded,
            tooltip=TOOLTIP,
        )
        .add_params(pick)
    )
    return alt.LayerChart(layer=layers, width=WIDTH, height=HEIGHT)


def pareto_plot(
    present: Sequence[ModelExamStats], frontier: Sequence[ModelExamStats], x: Axis, exam_max: float
) -> alt.LayerChart:
    """Every model in grey; the frontier's models coloured, joined in order of `x` and named in the legend."""
    on = [_row(s) for s in frontier]
    off = [_row(s) for s in present if s not in frontier]
    y = alt.Y(**_score(on + off, exam_max))
    return alt.LayerChart(
        layer=[
            _error_bars(on + off, x, exam_max, color=alt.value("#ccc")),
            alt.Chart(_data(off))
            .mark_point(filled=True, size=60, color="#aaa")
            .encode(x=x.encode(), y=y, tooltip=TOOLTIP),
            alt.Chart(_data(on)).mark_line(color="#555").encode(x=x.encode(), y=y, order=f"{x.field}:Q"),
            alt.Chart(_data(on))
            .mark_point(filled=True, size=110, opacity=1)
            .encode(
                x=x.encode(),
                y=y,
                tooltip=TOOLTIP,
                color=alt.Color(
                    "model:N",
                    title="On the frontier",
                    scale=alt.Scale(scheme="category10"),
                    sort=[r["model"] for r in on],
                ),
            ),
        ],
        width=WIDTH,
        height=HEIGHT,
    )


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict()
    spec.pop("$schema", None)  # a URL the page never loads; the bundled Vega-Lite is the schema's version
    return spec


def exam_plots(stats: Sequence[ModelExamStats], exam: str, exam_max: float) -> list[Plot]:
    """The plots of one exam, from its models' stats, in page order."""
    scored = [s for s in stats if s.exam == exam and s.scores.mean is not None]
    unscored = [s for s in stats if s.exam == exam and s.scores.mean is None]
    plots = [
        Plot(
            f"plot-{exam}-score",
            f"Exam {exam}: score by model (dot = mean, bar = 95% CI)",
            _spec(score_by_model(scored, exam_max)),
            _left_out(unscored, [], "scored run"),
        )
    ]
    fast = [s for s in scored if s.decode_tps is not None]
    if fast:
        chart = score_against(
            [_row(s) for s in fast],
            SPEED,
            exam_max,
            Legend("model", "Model"),
            Legend("family", "Family"),
            # twenty colours: one a model, beyond category10's ten
            alt.Scale(scheme="tableau20"),
        )
        plots.append(
            Plot(
                f"plot-{exam}-speed",
                f"Exam {exam}: score against decode tok/s",
                _spec(chart),
                _left_out(scored, fast, "decode rate"),
            )
        )
    families = quant_families(scored)
    in_family = [s for s in scored if s.family in families]
    sized = [s for s in in_family if s.size_gb]
    if sized:
        chart = score_against(
            [_row(s) for s in sized],
            SIZE,
            exam_max,
            Legend("family", "Family"),
            Legend("quant", "Quant"),
            alt.Scale(scheme="category10"),
            lines=True,
        )
        plots.append(
            Plot(
                f"plot-{exam}-size",
                f"Exam {exam}: score against GGUF size, per quant family",
                _spec(chart),
                _left_out(in_family, sized, "GGUF size"),
            )
        )
    for axis, x, key in zip(PARETO_AXES, (SPEED, SIZE), ("speed", "size"), strict=True):
        present, frontier = pareto_models(scored, axis)
        if present:
            what = "decode rate" if key == "speed" else "GGUF size"
            plots.append(
                Plot(
                    f"plot-{exam}-pareto-{key}",
                    f"Exam {exam}: the Pareto frontier of score and {axis}",
                    _spec(pareto_plot(present, frontier, x, exam_max)),
                    _left_out(scored, present, what),
                )
            )
    return plots
