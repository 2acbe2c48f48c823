"""The HTML report: one self-contained page whose plots Vega draws in headless Chromium (a screenshot
is kept under artifacts/)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.reports import Report, build_report
from scheduler.reports.html import render_html
from scheduler.reports.plots import exam_plots, score_scale
from scheduler.reports.tables import fmt_ci, fmt_range, fmt_size, pareto_tables
from scheduler.stats.summary import ModelExamStats
from tests.support.paths import ARTIFACTS_DIR as ARTIFACTS
from tests.support.reporting import RECORDED, load_recorded
from tests.support.scheduler_cli import run_cli

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No name resolves: a page that needed anything from a server would not draw.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # Run the page's scripts to the end before dumping or shooting it.
    "--virtual-time-budget=10000",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _dom(tmp_path: Path, page: Path) -> str:
    """The page's DOM after its scripts ran."""
    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _screenshot(tmp_path: Path, page: Path, shot: Path) -> Path:
    shot.unlink(missing_ok=True)
    result = _run_chromium(tmp_path, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert _png_size(shot) == (1280, 2400)
    return shot


def _drawn_plots(dom: str) -> dict[str, str]:
    """Plot element id -> the SVG Vega drew in it."""
    drawn = {}
    for chunk in dom.split('id="plot-')[1:]:
        plot_id, _, rest = chunk.partition('"')
        svg = re.search(r'<svg[^>]*class="marks".*?</svg>', rest, re.DOTALL)
        drawn[f"plot-{plot_id}"] = svg.group(0) if svg else ""
    return drawn


def _labels(svg: str, mark: str) -> list[str]:
    """The aria-labels of the drawn items of one kind of mark (`rule`, `symbol`, `line`), layer by layer."""
    labels = []
    for group in re.findall(rf'<g class="mark-{mark} role-mark[^"]*".*?</g>', svg, re.DOTALL):
        labels += [unescape(label) for label in re.findall(r'aria-label="([^"]*)"', group)]
    return labels


def _legend(svg: str, title: str) -> list[str]:
    """The entries of the legend titled `title`, as Vega reads them out."""
    found = re.search(rf"Symbol legend titled '{re.escape(title)}'[^\"]*values?: ([^\"]*)\"", svg)
    assert found is not None, f"no legend {title!r}"
    return unescape(found.group(1)).split(", ")


# Moves the pointer onto the first point of a plot once Vega has drawn it, and notes whose it is.
HOVER = """<script>
window.addEventListener("load", () => setTimeout(() => {
  const point = document.querySelector("#PLOT .mark-symbol.role-mark path");
  const box = point.getBoundingClientRect();
  document.body.dataset.hovered = point.__data__.datum.model;
  point.dispatchEvent(new PointerEvent("pointermove", {bubbles: true, clientX: box.x + box.width / 2,
                                                      clientY: box.y + box.height / 2}));
}, 1000));
</script>"""


def _hover(tmp_path: Path, page: Path, plot_id: str) -> tuple[str, dict[str, str]]:
    """(the model whose point the pointer rests on, the tooltip's rows) in a copy of `page`."""
    head, end, tail = page.read_text().rpartition("</body>")
    copy = tmp_path / f"hover-{page.name}"
    copy.write_text(head + HOVER.replace("PLOT", plot_id) + end + tail)
    dom = _dom(tmp_path, copy)
    hovered = re.search(r'data-hovered="([^"]*)"', dom)
    tooltip = re.search(r'<div id="vg-tooltip-element" class="[^"]*visible.*?</table>', dom, re.DOTALL)
    assert hovered and tooltip, "no tooltip after hovering a point"
    rows = re.findall(r'<td class="key">(.*?)</td><td class="value">(.*?)</td>', tooltip.group(0))
    return unescape(hovered.group(1)), {unescape(k): unescape(v) for k, v in rows}


def _recorded_report(settings: Settings) -> Report:
    load_recorded(settings)
    with connect(settings) as conn:
        return build_report(conn, RECORDED)


class _Loads(HTMLParser):
    """What a page asks the browser to fetch: tags' src, href and srcset, and CSS url() and @import."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.loads += [
            f"<{tag} {name}={value}>" for name, value in attrs if name in ("src", "href", "srcset")
        ]
        self.loads += [
            f"<{tag} style={value}>" for name, value in attrs if name == "style" and "url(" in (value or "")
        ]
        self.in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and re.search(r"url\(|@import", data):
            self.loads.append(f"<style>{data[:200]}")


def assert_self_contained(html: str) -> None:
    """Nothing in the page is fetched: no script, stylesheet, image or frame from anywhere."""
    parser = _Loads()
    parser.feed(html)
    parser.close()
    assert parser.loads == []


@pytest.mark.slow
def test_html_report_renders_every_plot_in_headless_chromium(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _recorded_report(settings)
    page = tmp_path / "recorded.html"
    status, _, err = run_cli(["report", "--sweep", RECORDED, "--format", "html", "--out", str(page)], capsys)
    assert status == 0, err
    html = page.read_text()
    assert_self_contained(html)

    dom = _dom(tmp_path, page)
    exams = sorted({s.exam for s in report.stats})
    expected = [p.id for e in exams for p in exam_plots(report.stats, e, report.exam_max[e])]
    drawn = _drawn_plots(dom)
    assert list(drawn) == expected and len(expected) == 5 * len(exams)  # score, speed, size, two frontiers
    for plot_id, svg in drawn.items():
        assert _labels(svg, "symbol"), f"{plot_id}: no points drawn"
    for table_id in ("exam-v1", "exam-v2", "quant-gemma4-26b", "outcomes", "checks-v2", "pareto-v1"):
        assert f'id="{table_id}"' in dom

    # Every model is named in the speed plot's legend (no labels piled on the points); every scored
    # model has its error bar, and its point carries the tables' numbers.
    for exam in exams:
        assert _legend(drawn[f"plot-{exam}-speed"], "Model") == [
            s.label for s in report.stats if s.exam == exam
        ]
    for s in report.stats:
        score_plot = drawn[f"plot-{s.exam}-score"]
        bars = [label for label in _labels(score_plot, "rule") if f"Model: {s.label};" in label]
        assert len(bars) == 1 and f"95% CI: {fmt_ci(s)};" in bars[0], (s.label, s.exam, bars)
        points = [
            label
            for label in _labels(drawn[f"plot-{s.exam}-speed"], "symbol")
            if f"Model: {s.label};" in label
        ]
        assert len(points) == 1
        assert f"Mean: {s.scores.mean:.2f}; 95% CI: {fmt_ci(s)};" in points[0]
        assert f"Seeds: {s.scores.n};" in points[0] and f"Decode tok/s: {s.decode_tps:.1f};" in points[0]

    model, tooltip = _hover(tmp_path, page, f"plot-{exams[0]}-speed")
    shown = next(s for s in report.stats if s.exam == exams[0] and s.label == model)
    assert tooltip == {
        "Model": shown.label,
        "Mean": f"{shown.scores.mean:.2f}",
        "95% CI": fmt_ci(shown),
        "Range over seeds": fmt_range(shown),
        "Seeds": str(shown.scores.n),
        "Decode tok/s": f"{shown.decode_tps:.1f}",
        "GGUF size": fmt_size(shown.size_gb),
    }

    ARTIFACTS.mkdir(exist_ok=True)
    shot = _screenshot(tmp_path, page, ARTIFACTS / "report_recorded.png")
    # A blank page of the same size compresses to almost nothing; a drawn one does not.
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>")
    blank = _screenshot(tmp_path, empty, tmp_path / "blank.png")
    assert shot.stat().st_size > 10 * blank.stat().st_size, (shot.stat().st_size, blank.stat().st_size)


def _set(s: ModelExamStats, mean: float, decode_tps: float | None, size_gb: float | None) -> ModelExamStats:
    """`s` with the mean, decode rate and size of a made-up case, its interval around the mean."""
    scores = dataclasses.replace(s.scores, mean=mean, ci_low=mean - 0.5, ci_high=mean + 0.5)
    return dataclasses.replace(s, scores=scores, decode_tps=decode_tps, size_gb=size_gb)


@pytest.mark.slow
def test_pareto_plots_name_exactly_the_frontier_and_say_which_models_are_left_out(
    settings: Settings, tmp_path: Path
) -> None:
    report = _recorded_report(settings)
    exam = "v2"
    model = next(s for s in report.stats if s.exam == exam)
    # A known case: A scores best and decodes slowest; B is fastest; C has the smallest file and is
    # slower than B with a lower score; E is beaten by A on all counts; D has neither rate nor size.
    a, b, c, d, e = (
        dataclasses.replace(model, model=f"made-up-{name}", label=f"Made-up {name}") for name in "ABCDE"
    )
    known = [
        _set(a, 8.0, 10.0, 20.0),
        _set(b, 6.0, 30.0, 16.0),
        _set(c, 5.0, 20.0, 12.0),
        _set(d, 4.0, None, None),
        _set(e, 7.0, 5.0, 25.0),
    ]
    report.stats = known
    page = tmp_path / "known.html"
    page.write_text(render_html(report))
    drawn = _drawn_plots(_dom(tmp_path, page))

    assert _legend(drawn[f"plot-{exam}-pareto-speed"], "On the frontier") == [a.label, b.label]
    assert _legend(drawn[f"plot-{exam}-pareto-size"], "On the frontier") == [a.label, b.label, c.label]
    frontiers: dict[str, list[str]] = {}
    for row in (row for table in pareto_tables(known) for row in table.rows):
        frontiers.setdefault(row[0], []).append(row[1])
    assert frontiers == {
        "score and decode tok/s": [a.label, b.label],
        "score and GGUF size": [a.label, b.label, c.label],
    }
    html = page.read_text()
    for plot, what in (
        ("speed", "decode rate"),
        ("pareto-speed", "decode rate"),
        ("pareto-size", "GGUF size"),
    ):
        assert (
            f'<p class="plot-note">Left out (no {what}): {d.label}.</p>'
            in html.split(f'id="plot-{exam}-{plot}"')[1]
        )
        assert f"Model: {d.label};" not in drawn[f"plot-{exam}-{plot}"]
        assert f"Model: {e.label};" in drawn[f"plot-{exam}-{plot}"]


def test_the_score_axis_spans_the_means_and_intervals_within_full_marks() -> None:
    rows: list[dict[str, Any]] = [
        {"mean": 12.0, "ci_low": 9.5, "ci_high": 14.0},
        {"mean": 14.5, "ci_low": 13.0, "ci_high": 15.0},
        {"mean": 11.0, "ci_low": None, "ci_high": None},
    ]
    low, high = score_scale(rows, 15.0).to_dict()["domain"]
    assert 9.0 < low < 9.5 and high == 15.0  # padded below the lowest interval; never past full marks
    low, high = score_scale([{"mean": 0.0, "ci_low": 0.0, "ci_high": 0.5}], 10.0).to_dict()["domain"]
    assert low == 0.0 and 0.5 < high < 1.0


@pytest.mark.parametrize(
    ("cell", "numeric"),
    [
        ("14.0", True),
        ("-7.2 to +7.2", True),
        ("2/3 (67%)", True),
        ("17.9 GB", True),
        ("–", True),
        ("UD-Q4_K_M → MXFP4_MOE", False),
        ("undecided; about 13 shared seeds (11 more) would settle it", False),
        ("Gemma 4 26B A4B", False),
    ],
)
def test_table_cells_align_figures_right_and_words_left(cell: str, numeric: bool) -> None:
    from scheduler.reports.html import _cell

    assert _cell(cell).startswith('<td class="num">') is numeric
