"""Report tables: statistics, infra outcomes kept apart, formats and output files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from scheduler.db import connect
from scheduler.reports.stats import compare_paired, summarize, t_quantile
from scheduler.settings import Settings
from tests.reporting import report_json, run_cli, stats_by


@pytest.mark.parametrize(("p", "df", "expected"), [
    (0.975, 1, 12.7062), (0.975, 2, 4.3027), (0.975, 10, 2.2281), (0.975, 30, 2.0423),
    (0.995, 4, 4.6041), (0.025, 2, -4.3027), (0.975, 10**6, 1.9600),
])
def test_t_quantile_matches_the_published_table(p: float, df: int, expected: float) -> None:
    assert round(t_quantile(p, df), 4) == expected


def test_summary_interval_is_mean_plus_minus_t_times_standard_error() -> None:
    s = summarize([10.0, 14.0, 14.0])
    assert s.n == 3 and round(s.mean or 0, 4) == 12.6667
    assert round(s.ci_low or 0, 3) == 6.930 and round(s.ci_high or 0, 3) == 18.404
    assert summarize([7.0]).ci_low is None and summarize([]).mean is None


def test_paired_comparison_uses_only_the_shared_seeds() -> None:
    cmp = compare_paired({42: 14, 123: 14, 456: 14, 7: 0}, {42: 9, 123: 13, 456: 14})
    assert (cmp.n, cmp.mean_diff, cmp.wins, cmp.ties, cmp.losses) == (3, -2.0, 0, 1, 2)


def _model(conn: Any, model_id: str, family: str, quant: str) -> None:
    conn.execute("INSERT INTO models (id, label, family, quant, size_gb) VALUES (%s, %s, %s, %s, 10)",
                 (model_id, model_id.upper(), family, quant))


def _run(conn: Any, model: str, seed: int, *, outcome: str = "ok", finish: str = "stop",
         grade: tuple[float, str, bool] | None = None, tps: float = 20.0) -> None:
    job = conn.execute(
        "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state) VALUES"
        " ('s', %s, 'v2', %s, 'h', '{}', 'done') RETURNING id", (model, seed)).fetchone()
    gen = conn.execute(
        "INSERT INTO generations (job_id, outcome, finish_reason, completion_tokens, prompt_tps, decode_tps,"
        " wall_s) VALUES (%s, %s, %s, 100, 300, %s, 5) RETURNING id", (job["id"], outcome, finish, tps)).fetchone()
    if grade is not None:
        score, verdict, compiled = grade
        checks = [{"name": "OnlineFlow", "passed": compiled, "points": 1, "max_points": 1},
                  {"name": "RaceDetector", "passed": False, "points": 0, "max_points": 1}]
        conn.execute(
            "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled, checks)"
            " VALUES (%s, 'test-1', %s, 10, %s, %s, %s)", (gen["id"], score, verdict, compiled, Jsonb(checks)))


@pytest.fixture
def mixed_sweep(settings: Settings) -> Settings:
    """Two quants of one family; one truncated run, one server error, one grader error."""
    with connect(settings) as conn, conn.transaction():
        conn.execute("INSERT INTO sweeps (name, definition) VALUES ('s', %s)", (Jsonb({"models": ["a", "b"]}),))
        _model(conn, "a", "fam", "Q4")
        _model(conn, "b", "fam", "Q8")
        _run(conn, "a", 1, grade=(6, "test_fail", True), tps=20)
        _run(conn, "a", 2, grade=(8, "test_fail", True), tps=22)
        _run(conn, "a", 3, finish="length", outcome="truncated", grade=(0, "truncated", False), tps=24)
        _run(conn, "b", 1, grade=(7, "test_fail", True))
        _run(conn, "b", 2, grade=(0, "compile_fail", False))
        _run(conn, "b", 3, outcome="server_error")
        _run(conn, "b", 4, grade=(0, "grader_error", False))
    return settings


def test_infra_outcomes_stay_out_of_means_and_compile_rates_show_both_ways(mixed_sweep: Settings) -> None:
    stats = stats_by(report_json(mixed_sweep, "s"))
    a, b = stats[("a", "v2")], stats[("b", "v2")]
    assert (a["n"], a["mean"], a["min"], a["max"]) == (2, 7.0, 6, 8)
    assert a["verdicts"] == {"test_fail": 2, "truncated": 1}
    assert (a["compiled"], a["n_graded"]) == (2, 3)
    assert (a["compiled_not_truncated"], a["n_graded_not_truncated"]) == (2, 2)
    assert a["decode_tps"] == pytest.approx(22.0) and a["prompt_tps"] == 300
    assert (b["n"], b["mean"]) == (2, 3.5)
    assert b["verdicts"] == {"test_fail": 1, "compile_fail": 1, "server_error": 1, "grader_error": 1}


def test_paired_quant_comparison_pairs_seeds_both_scored(mixed_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(mixed_sweep, "s")["tables"]}
    (row,) = tables["paired"]["rows"]
    # a scored seeds 1, 2; b scored seeds 1, 2 (3 is server_error, 4 grader_error): b - a = +1, -8.
    assert row[:5] == ["fam", "v2", "Q4 → Q8", "2", "-3.5"]


def test_a_test_no_model_passes_is_flagged_as_a_likely_grader_problem(mixed_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(mixed_sweep, "s")["tables"]}
    checks = tables["checks-v2"]
    assert [r[0] for r in checks["rows"]] == ["OnlineFlow", "RaceDetector"]
    assert checks["rows"][1][-1] == "0/3"
    assert any("RaceDetector" in note for note in checks["notes"])


def test_markdown_report_shows_the_article_columns(mixed_sweep: Settings,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["report", "--sweep", "s"], capsys)
    assert status == 0
    assert "| Model | Mean | Range | n | 95% CI | Compiles | Tok/s |" in out
    assert "| A | 7.0 | 6–8 | 2 | 0.0 to 10.0 | 2/3 | 22.0 |" in out
    assert "1 truncated" in out


def test_csv_report_is_one_cell_a_line(mixed_sweep: Settings, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "r.csv"
    status, out, _ = run_cli(["report", "--sweep", "s", "--format", "csv", "--out", str(out_file)], capsys)
    assert status == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(out_file.read_text())))
    mean = [r for r in rows if r["table"] == "exam-v2" and r["row"] == "2:B" and r["column"] == "Mean"]
    assert [r["value"] for r in mean] == ["3.5"]


def test_unknown_sweep_and_bad_out_directory_are_one_line_errors(mixed_sweep: Settings, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(["report", "--sweep", "nope"], capsys)
    assert status == 1 and err.count("\n") == 1 and "no sweep named 'nope'" in err and "s" in err
    status, _, err = run_cli(["report", "--sweep", "s", "--out", str(tmp_path / "no" / "r.md")], capsys)
    assert status == 1 and "does not exist" in err
    assert not (tmp_path / "no").exists()


def test_json_report_carries_the_numbers_behind_the_tables(mixed_sweep: Settings,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(["report", "--sweep", "s", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 0 and data["sweep"] == "s" and data["jobs"] == 7
    assert data["exam_max"] == {"v2": 10.0}


def test_a_score_interval_is_clipped_to_the_possible_range() -> None:
    from scheduler.reports.stats import summarize

    unclipped = summarize([0.0, 6.0, 6.0])
    clipped = summarize([0.0, 6.0, 6.0], bounds=(0.0, 15.0))
    assert unclipped.ci_low is not None and unclipped.ci_low < 0
    assert clipped.ci_low == 0.0
    assert clipped.ci_high == unclipped.ci_high


def test_an_exam_with_no_run_judged_on_its_code_shows_no_compile_rate(settings: Settings) -> None:
    with connect(settings) as conn, conn.transaction():
        conn.execute("INSERT INTO sweeps (name, definition) VALUES ('s', %s)", (Jsonb({"models": ["a", "b"]}),))
        _model(conn, "a", "fam", "Q4")
        _model(conn, "b", "fam", "Q8")
        for seed in (1, 2, 3):  # every run of a cut off before its code ended: nothing was built
            _run(conn, "a", seed, finish="length", outcome="truncated", grade=(0, "truncated", False))
        _run(conn, "b", 1, grade=(0, "compile_fail", False))
        _run(conn, "b", 2, grade=(0, "grader_error", False))
    tables = {t["id"]: t for t in report_json(settings, "s")["tables"]}
    exam_rows = {row[0]: row for row in tables["exam-v2"]["rows"]}
    assert exam_rows["A"][5] == "–" and exam_rows["B"][5] == "0/2"
    quant_rows = {row[0]: row for row in tables["quant-fam"]["rows"]}
    assert quant_rows["Q4"][-1] == "–" and quant_rows["Q8"][-1] == "0/2"
    outcome_rows = {row[0]: row for row in tables["outcomes"]["rows"]}
    assert outcome_rows["A"][-3:] == ["–", "–", "–"]
