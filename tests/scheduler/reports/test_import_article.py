"""`scheduler import-article`: the article's published results as a sweep, and its tables recomputed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.progress import job_state_counts
from scheduler.reports.article import parse_article_grade
from tests.support.availability import needs_article_results
from tests.support.reporting import copy_article, load_article, report_json, stats_by
from tests.support.rows import one
from tests.support.scheduler_cli import run_cli

pytestmark = needs_article_results

# The article's published tables (Exam v1: Mean, Range, Tok/s; Exam v2: Mean, Compiles, Tok/s).
ARTICLE_V1 = {
    "qwen35-35b-q6k": (14.3, 14, 15, 22.1),
    "gemma4-26b-q4km": (14.0, 14, 14, 18.6),
    "gemma4-26b-mxfp4": (14.0, 14, 14, 18.8),
    "gemma4-26b-q5km": (14.0, 14, 14, 17.0),
    "qwen35-35b-q4km": (14.0, 14, 14, 22.1),
    "qwen35-35b-mxfp4": (14.0, 14, 14, 21.9),
    "qwen3-coder-30b-draft": (14.0, 14, 14, 25.9),
    "gpt-oss-20b": (14.0, 14, 14, 27.0),
    "gemma4-e4b-q8": (12.7, 10, 14, 13.8),
    "qwen35-9b-q4km": (12.3, 9, 14, 13.6),
    "qwen35-35b-q5km": (12.0, 9, 14, 21.0),
}
ARTICLE_V2 = {
    "gemma4-26b-q4km": (4.0, 2),
    "gemma4-26b-mxfp4": (4.0, 2),
    "gemma4-26b-q5km": (4.0, 2),
    "qwen3-coder-30b-draft": (3.7, 2),
    "gpt-oss-20b": (3.7, 2),
    "gemma4-e4b-q8": (3.7, 2),
    "qwen35-35b-q5km": (3.3, 2),
    "qwen35-35b-q6k": (2.7, 1),
    "qwen35-35b-q4km": (2.3, 1),
    "qwen35-9b-q4km": (2.3, 1),
    "qwen35-35b-mxfp4": (2.0, 1),
}


def test_imported_article_reproduces_the_exam_v1_table(settings: Settings) -> None:
    summary = load_article(settings)
    assert summary.jobs == 66 and summary.responses == 66
    stats = stats_by(report_json(settings))
    for model, (mean, low, high, decode_tps) in ARTICLE_V1.items():
        s = stats[(model, "v1")]
        assert (round(s["mean"], 1), s["min"], s["max"], round(s["decode_tps"], 1)) == (
            mean,
            low,
            high,
            decode_tps,
        ), model
        assert s["n"] == 3


def test_imported_article_reproduces_the_exam_v2_means_and_compiles(settings: Settings) -> None:
    load_article(settings)
    stats = stats_by(report_json(settings))
    for model, (mean, compiled) in ARTICLE_V2.items():
        s = stats[(model, "v2")]
        # The article counts every run as scored, its harness crash (0 of max 0) included.
        assert round(s["mean_all_runs"], 1) == mean, model
        assert (s["n_compiled"], s["n_graded"]) == (compiled, 3), model


def test_article_harness_crash_is_a_grader_error_left_out_of_the_mean(settings: Settings) -> None:
    load_article(settings)
    s = stats_by(report_json(settings))[("gemma4-26b-q5km", "v2")]
    assert s["verdicts"] == {"test_fail": 2, "grader_error": 1}
    assert (s["n"], s["mean"], s["mean_all_runs"]) == (2, 6.0, 4.0)


def test_article_v2_decode_tps_differs_from_its_table_which_reused_the_v1_rates(settings: Settings) -> None:
    load_article(settings)
    stats = stats_by(report_json(settings))
    assert round(stats[("gemma4-26b-q4km", "v2")]["decode_tps"], 1) == 16.4
    assert round(stats[("gemma4-26b-q4km", "v1")]["decode_tps"], 1) == 18.6


def test_missing_seed_responses_are_recovered_from_the_model_folder_when_tokens_match(
    settings: Settings,
) -> None:
    summary = load_article(settings)
    assert len(summary.recovered) == 3
    assert all("seed42" in line and "same token count" in line for line in summary.recovered)
    assert len(summary.skipped) == 3  # the model-folder exam v2 runs scored out of 20
    with connect(settings) as conn:
        empty = one(
            conn.execute(
                "SELECT count(*) AS n FROM generations WHERE response_text = '' OR error IS NOT NULL"
            )
        )
    assert empty["n"] == 0


def test_a_missing_response_without_a_match_is_reported_and_kept_without_text(
    settings: Settings, tmp_path: Path
) -> None:
    root = copy_article(tmp_path)
    (root / "exam_v1" / "qwen35-35b-q6k" / "response.txt").unlink()
    (root / "exam_v2" / "gpt-oss-20b" / "seed123" / "response.txt").unlink()
    summary = load_article(settings, root)
    assert summary.jobs == 66 and summary.responses == 64
    assert summary.missing == [
        "exam_v1/qwen35-35b-q6k/seed42/response.txt",
        "exam_v2/gpt-oss-20b/seed123/response.txt",
    ]
    with connect(settings) as conn:
        rows = conn.execute(
            "SELECT j.model, j.exam, j.seed, g.error FROM generations g JOIN jobs j ON j.id = g.job_id"
            " WHERE g.response_text = ''"
        ).fetchall()
    assert {(r["model"], r["exam"], r["seed"]) for r in rows} == {
        ("qwen35-35b-q6k", "v1", 42),
        ("gpt-oss-20b", "v2", 123),
    }
    assert all("missing" in r["error"] for r in rows)


def test_article_summaries_become_per_test_checks() -> None:
    v2 = parse_article_grade(
        "v2",
        {
            "eval": {
                "score": 6,
                "max": 10,
                "summary": (
                    "TestScenario:FAIL TestScenario/OnlineFlow:PASS TestScenario/BufferBounded:FAIL "
                    "TestMultipleOutageCycles:PASS TestRaceDetector:FAIL"
                ),
            }
        },
    )
    assert [(c["name"], c["passed"]) for c in v2.checks] == [
        ("OnlineFlow", True),
        ("BufferBounded", False),
        ("MultipleOutageCycles", True),
        ("RaceDetector", False),
    ]
    assert (v2.verdict, v2.compiled) == ("test_fail", True)
    failed = parse_article_grade("v2", {"eval": {"score": 0, "max": 10, "summary": "compile:FAIL"}})
    assert (failed.verdict, failed.compiled) == ("compile_fail", False)
    v1 = parse_article_grade(
        "v1",
        {
            "eval": {
                "score": 9,
                "max": 15,
                "summary": "factorial:5/5 wordfreq:4/5 filetreewalk:0/5(build-fail)",
            }
        },
    )
    assert [(c["name"], c["points"], c["detail"]) for c in v1.checks] == [
        ("factorial", 5, ""),
        ("wordfreq", 4, ""),
        ("filetreewalk", 0, "build-fail"),
    ]
    assert (v1.verdict, v1.compiled) == ("test_fail", True)


def test_importing_twice_needs_replace_and_names_the_sweep(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.reporting import ARTICLE_RESULTS

    status, out, _ = run_cli(["import-article", str(ARTICLE_RESULTS)], capsys)
    assert status == 0 and "imported 66 runs" in out
    status, _, err = run_cli(["import-article", str(ARTICLE_RESULTS)], capsys)
    assert status == 1
    assert err.count("\n") == 1 and "'article' already exists" in err and "--replace" in err
    status, out, _ = run_cli(["import-article", str(ARTICLE_RESULTS), "--replace"], capsys)
    assert status == 0
    with connect(settings) as conn:
        assert sum(job_state_counts(conn, None).values()) == 66


def test_an_unknown_model_folder_is_one_line_and_writes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_article(tmp_path)
    (root / "exam_v1" / "gpt-oss-20b").rename(root / "exam_v1" / "mystery-model")
    status, _, err = run_cli(["import-article", str(root), "--sweep", "x"], capsys)
    assert status == 1 and err.count("\n") == 1
    assert "'mystery-model' is not in the catalog" in err
    with connect(settings) as conn:
        assert sum(job_state_counts(conn, None).values()) == 0


def test_a_directory_without_exams_is_refused(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_cli(["import-article", str(tmp_path)], capsys)
    assert status == 1 and "expected exam_v1/ and/or exam_v2/" in err


def test_report_json_of_the_article_lists_every_table(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    load_article(settings)
    status, out, _ = run_cli(["report", "--sweep", "article", "--format", "json"], capsys)
    assert status == 0
    ids = [t["id"] for t in json.loads(out)["tables"]]
    assert ids[:2] == ["exam-v1", "exam-v2"]
    assert {"quant-gemma4-26b", "quant-qwen35-35b", "paired", "outcomes", "checks-v2", "speed"} <= set(ids)


def test_health_of_the_articles_exams(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    # The article's data: both exams get a health summary and a per-check discrimination table, in
    # the report and alone from `scheduler health`.
    load_article(settings)
    status, out, _ = run_cli(["health", "--sweep", "article", "--format", "json"], capsys)
    assert status == 0
    tables = {t["id"]: t for t in json.loads(out)["tables"]}
    assert set(tables) == {"health-v1", "health-tasks-v1", "health-v2", "health-tasks-v2"}
    summary = dict(tables["health-v2"]["rows"])
    assert summary["To separate two models by 10 points of 100"].endswith("GPU hours")
    assert "of 10 points" in summary["Noise floor at the sweep's seeds"]
    rates = [float(r[1]) for r in tables["health-tasks-v2"]["rows"]]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0
    status, out, _ = run_cli(["report", "--sweep", "article", "--format", "json"], capsys)
    assert {"health-v1", "health-v2"} <= {t["id"] for t in json.loads(out)["tables"]}


def test_exams_health_is_the_schedulers(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    # `exams health --sweep NAME` is the scheduler's command, added to the `exams` script by the
    # scheduler (the exams library imports no scheduler code): the same tables, and its error for a
    # sweep the database does not hold.
    from scheduler.cli.exams import main as exams_main

    load_article(settings)
    _, scheduler_out, _ = run_cli(["health", "--sweep", "article", "--format", "json"], capsys)
    with pytest.raises(SystemExit) as done:
        exams_main(["health", "--sweep", "article", "--format", "json"])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out)["tables"] == json.loads(scheduler_out)["tables"]
    with pytest.raises(SystemExit) as done:
        exams_main(["health", "--sweep", "no-such-sweep"])
    err = capsys.readouterr().err
    assert done.value.code == 1 and err.startswith("exams: error:") and "no-such-sweep" in err
