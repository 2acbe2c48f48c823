"""Report tables: statistics, infra outcomes kept apart, formats and output files."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.stats import intervals
from scheduler.stats.comparisons import Conclusion, compare, seeds_to_settle
from scheduler.stats.intervals import (
    RunPoints,
    items_interval,
    pool_of_models,
    proportion_interval,
    score_posterior,
    summarize,
)
from scheduler.stats.pareto import pareto_front
from scheduler.sweeps.catalog import Model
from tests.support.reporting import report_json, stats_by
from tests.support.runs import add_run, add_sweep
from tests.support.scheduler_cli import run_cli


def _runs(*scores: int, checks: int = 15) -> tuple[list[RunPoints], dict[str, float]]:
    """Runs of one-point checks: a score of 14 passes the first 14 checks."""
    runs = [RunPoints(42 + i, {f"c{j}": 1.0 for j in range(s)}) for i, s in enumerate(scores)]
    return runs, {f"c{j}": 1.0 for j in range(checks)}


def test_three_equal_scores_do_not_make_a_zero_width_interval() -> None:
    s = summarize(*_runs(14, 14, 14))
    assert s.mean == 14.0 and s.ci_low is not None and s.ci_high is not None
    assert 3.0 < s.ci_low < 12.0 and 14.0 < s.ci_high < 15.0


def test_an_interval_of_bounded_scores_stays_inside_the_bounds_and_away_from_the_far_one() -> None:
    low, high = score_posterior(*_runs(0, 6, 6, checks=10)).interval(0.95)
    assert 0.0 < low < 3.0 and 6.0 < high < 9.0
    low, high = score_posterior(*_runs(0, 0, 0, checks=10)).interval(0.95)
    assert low == 0.0 and 1.0 < high < 5.0
    low, high = score_posterior(*_runs(15, 15, 15)).interval(0.95)
    assert high == 15.0 and low < 14.0


def test_more_seeds_of_the_same_scores_narrow_the_interval() -> None:
    widths = []
    for n in (3, 5, 10, 30):
        low, high = score_posterior(*_runs(*[14] * n)).interval(0.95)
        widths.append(high - low)
    assert widths == sorted(widths, reverse=True) and widths[-1] < 2.0


def test_wilson_interval_matches_the_published_values() -> None:
    # Brown, Cai & DasGupta (2001), or any table: Wilson 95% for 2/3 is 0.208 to 0.939.
    low, high = proportion_interval(2, 3) or (0.0, 0.0)
    assert (round(low, 3), round(high, 3)) == (0.208, 0.939)
    assert proportion_interval(0, 0) is None


def test_the_posterior_of_many_runs_agrees_with_the_sample_mean_and_its_standard_error() -> None:
    rng = random.Random(7)
    scores = [rng.choice([5, 6, 7]) for _ in range(400)]
    post = score_posterior(*_runs(*scores, checks=10))
    mean = sum(scores) / len(scores)
    se = (sum((x - mean) ** 2 for x in scores) / (len(scores) - 1) / len(scores)) ** 0.5
    assert post.mean == pytest.approx(mean, abs=0.1)
    low, high = post.interval(0.95)
    assert low == pytest.approx(mean - 1.96 * se, abs=0.15) and high == pytest.approx(
        mean + 1.96 * se, abs=0.15
    )


def test_a_clear_difference_is_called_and_seeds_are_paired() -> None:
    a, marks = _runs(0, 0, 0, 0)
    b, _ = _runs(14, 14, 14)
    c = compare(a, b, marks)
    assert c.seeds == 3 and c.verdict is Conclusion.B_BETTER and c.mean_diff == 14.0
    assert (c.b_only, c.a_only) == (42, 0)
    assert compare(b, a, marks).verdict is Conclusion.A_BETTER


def test_equal_models_are_equivalent_only_with_enough_seeds() -> None:
    few = compare(*_runs(6, 7, 6, checks=10)[:1], _runs(7, 6, 6, checks=10)[0], _runs(checks=10)[1])
    assert few.verdict is Conclusion.UNDECIDED and few.seeds_needed is not None and few.seeds_needed > 3
    scores = [6, 7] * 100
    many = compare(_runs(*scores, checks=10)[0], _runs(*reversed(scores), checks=10)[0], _runs(checks=10)[1])
    assert many.verdict is Conclusion.EQUIVALENT and many.seeds_needed is None


def test_seeds_to_settle_follows_the_normal_sample_size_formula() -> None:
    # (z_.975 + z_.8)^2 * sd^2 / diff^2 = 7.85 * 4 / 1 -> 32 seeds to show a difference of 1 with sd 2.
    assert seeds_to_settle(1.0, 2.0, margin=0.5) == 32
    # TOST: (z_.95 + z_.8)^2 * sd^2 / margin^2 = 6.18 * 4 -> 25 seeds to show equivalence within 1.
    assert seeds_to_settle(0.0, 2.0, margin=1.0) == 25


A_AND_B = [Model(m, m.upper(), "fam", quant, 10) for m, quant in (("a", "Q4"), ("b", "Q8"))]


def _run(
    conn: Any,
    model: str,
    seed: int,
    *,
    outcome: str = "ok",
    finish: str = "stop",
    grade: tuple[float, str, bool] | None = None,
    decode_tps: float = 20.0,
) -> None:
    generation = {
        "outcome": outcome,
        "finish_reason": finish,
        "completion_tokens": 100,
        "prompt_tps": 300,
        "decode_tps": decode_tps,
        "wall_s": 5,
    }
    graded = None
    if grade is not None:
        score, verdict, compiled = grade
        checks = [
            {"name": "OnlineFlow", "passed": compiled, "points": 1, "max_points": 1},
            {"name": "RaceDetector", "passed": False, "points": 0, "max_points": 1},
        ]
        graded = {
            "grader_version": "test-1",
            "score": score,
            "max_score": 10,
            "verdict": verdict,
            "compiled": compiled,
            "checks": checks,
        }
    add_run(conn, "s", model, "v2", seed, generation, graded)


@pytest.fixture
def mixed_sweep(settings: Settings) -> Settings:
    """Two quants of one family; one truncated run, one server error, one grader error."""
    with connect(settings) as conn, conn.transaction():
        add_sweep(conn, "s", {"models": ["a", "b"]}, A_AND_B)
        _run(conn, "a", 1, grade=(6, "test_fail", True), decode_tps=20)
        _run(conn, "a", 2, grade=(8, "test_fail", True), decode_tps=22)
        _run(conn, "a", 3, finish="length", outcome="truncated", grade=(0, "truncated", False), decode_tps=24)
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
    assert (a["n_compiled"], a["n_graded"]) == (2, 3)
    assert (a["n_compiled_not_truncated"], a["n_graded_not_truncated"]) == (2, 2)
    assert a["decode_tps"] == pytest.approx(22.0) and a["prompt_tps"] == 300
    assert (b["n"], b["mean"]) == (2, 3.5)
    assert b["verdicts"] == {"test_fail": 1, "compile_fail": 1, "server_error": 1, "grader_error": 1}


def test_paired_quant_comparison_pairs_seeds_both_scored(mixed_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(mixed_sweep, "s")["tables"]}
    (row,) = tables["paired"]["rows"]
    # a scored seeds 1, 2; b scored seeds 1, 2 (3 is server_error, 4 grader_error): b - a = +1, -8.
    assert row[:5] == ["fam", "v2", "Q4 → Q8", "2", "-3.5"]
    assert row[-2].startswith("undecided; about ") and "more) would settle it" in row[-2]
    assert row[-1] == "–"  # v2 is not an exam of items: no verdict on tasks like these


def test_the_json_report_carries_verdicts_and_frontiers_as_fields(mixed_sweep: Settings) -> None:
    report = report_json(mixed_sweep, "s")
    (c,) = report["comparisons"]
    assert (c["family"], c["exam"], c["a"], c["b"], c["seeds"]) == ("fam", "v2", "a", "b", 2)
    assert c["verdict"] == "undecided" and c["seeds_needed"] > 2 and c["mean_diff"] == pytest.approx(-3.5)
    # a: mean 7 at 22 tok/s dominates b: mean 3.5 at 20 tok/s.
    assert report["pareto"]["v2"]["decode tok/s"] == ["a"]
    assert not any("Left out" in n for n in {t["id"]: t for t in report["tables"]}["pareto-v2"]["notes"])
    # Without a decode rate, b is left out of the speed frontier, and the table says so.
    with connect(mixed_sweep) as conn, conn.transaction():
        conn.execute(
            "UPDATE generations SET decode_tps = NULL WHERE job_id IN (SELECT id FROM jobs WHERE model = 'b')"
        )
    report = report_json(mixed_sweep, "s")
    notes = {t["id"]: t for t in report["tables"]}["pareto-v2"]["notes"]
    assert "Left out of score and decode tok/s (none known): B." in notes, notes
    assert report["pareto"]["v2"]["decode tok/s"] == ["a"]


def test_a_test_no_model_passes_is_flagged_as_a_likely_grader_problem(mixed_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(mixed_sweep, "s")["tables"]}
    checks = tables["checks-v2"]
    assert [r[0] for r in checks["rows"]] == ["OnlineFlow", "RaceDetector"]
    assert checks["rows"][1][-1] == "0/3"
    assert any("RaceDetector" in note for note in checks["notes"])


def test_markdown_report_shows_the_article_columns(
    mixed_sweep: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(["report", "--sweep", "s"], capsys)
    assert status == 0
    assert "| Model | Mean | Range | n | 95% CI | Compiles | Tok/s |" in out
    row = next(line for line in out.splitlines() if line.startswith("| A | 7.0 | 6–8 | 2 | "))
    low, high = (float(x) for x in row.split(" | ")[4].split(" to "))
    assert 0.0 < low < 6.0 and 7.0 < high < 10.0
    assert "| 2/3 (21–94%) | 22.0 |" in row
    assert "1 truncated" in out


def test_csv_report_is_one_cell_a_line(
    mixed_sweep: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "r.csv"
    status, out, _ = run_cli(["report", "--sweep", "s", "--format", "csv", "--out", str(out_file)], capsys)
    assert status == 0 and out == ""
    rows = list(csv.DictReader(io.StringIO(out_file.read_text())))
    mean = [r for r in rows if r["table"] == "exam-v2" and r["row"] == "2:B" and r["column"] == "Mean"]
    assert [r["value"] for r in mean] == ["3.5"]


def test_unknown_sweep_and_bad_out_directory_are_one_line_errors(
    mixed_sweep: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_cli(["report", "--sweep", "nope"], capsys)
    assert status == 1 and err.count("\n") == 1 and "no sweep named 'nope'" in err and "s" in err
    status, _, err = run_cli(["report", "--sweep", "s", "--out", str(tmp_path / "no" / "r.md")], capsys)
    assert status == 1 and "does not exist" in err
    assert not (tmp_path / "no").exists()


def test_json_report_carries_the_numbers_behind_the_tables(
    mixed_sweep: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(["report", "--sweep", "s", "--format", "json"], capsys)
    data = json.loads(out)
    assert status == 0 and data["sweep"] == "s" and data["jobs"] == 7
    assert data["exam_max"] == {"v2": 10.0}


def test_the_pareto_front_keeps_the_points_no_other_beats_on_both_axes() -> None:
    points = [(14.0, 18.0), (14.0, 27.0), (12.0, 30.0), (12.0, 20.0), (14.3, 22.0), (14.0, 27.0)]
    # (14, 18) loses to (14, 27); (12, 20) to several; the two equal (14, 27) do not beat each other.
    assert pareto_front(points) == [1, 2, 4, 5]
    assert pareto_front([]) == []


def test_the_report_gives_the_pareto_frontier_of_score_against_speed_and_size(mixed_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(mixed_sweep, "s")["tables"]}
    rows = tables["pareto-v2"]["rows"]
    # A: mean 7, 22 tok/s; B: mean 3.5, 20 tok/s; same size: A beats B on both.
    assert [(r[0], r[1]) for r in rows] == [("score and decode tok/s", "A"), ("score and GGUF size", "A")]


def test_an_exam_with_no_run_judged_on_its_code_shows_no_compile_rate(settings: Settings) -> None:
    with connect(settings) as conn, conn.transaction():
        add_sweep(conn, "s", {"models": ["a", "b"]}, A_AND_B)
        for seed in (1, 2, 3):  # every run of a cut off before its code ended: nothing was built
            _run(conn, "a", seed, finish="length", outcome="truncated", grade=(0, "truncated", False))
        _run(conn, "b", 1, grade=(0, "compile_fail", False))
        _run(conn, "b", 2, grade=(0, "grader_error", False))
    tables = {t["id"]: t for t in report_json(settings, "s")["tables"]}
    exam_rows = {row[0]: row for row in tables["exam-v2"]["rows"]}
    assert exam_rows["A"][5] == "–" and exam_rows["B"][5] == "0/2 (0–66%)"
    quant_rows = {row[0]: row for row in tables["quant-fam"]["rows"]}
    assert quant_rows["Q4"][-1] == "–" and quant_rows["Q8"][-1] == "0/2"
    outcome_rows = {row[0]: row for row in tables["outcomes"]["rows"]}
    assert outcome_rows["A"][-3:] == ["–", "–", "–"]


def _item_runs(rng: random.Random, rates: list[float], seeds: int) -> list[RunPoints]:
    return [
        RunPoints(s, {f"t{j}": float(rng.random() < p) for j, p in enumerate(rates)}) for s in range(seeds)
    ]


def test_pairing_by_task_narrows_the_interval_on_tasks_like_these() -> None:
    # Two models on 20 tasks of very different difficulty, B a little better on each: unpaired, the
    # tasks' spread swamps the difference; paired by task it cancels out.
    rng = random.Random(3)
    rates = [0.05 + 0.9 * j / 19 for j in range(20)]
    a = _item_runs(rng, rates, 5)
    b = _item_runs(rng, [min(r + 0.1, 1.0) for r in rates], 5)
    marks = {f"t{j}": 1.0 for j in range(20)}
    c = compare(a, b, marks, items=True)
    assert c.items_low is not None and c.items_high is not None and c.tasks == 20
    ia, ib = items_interval(a, marks), items_interval(b, marks)
    assert ia is not None and ib is not None
    unpaired = 2 * 2.09 * (ia.scale**2 + ib.scale**2) ** 0.5
    assert c.items_high - c.items_low < unpaired / 1.5
    assert compare(a, b, marks).items_verdict is None  # not an exam of items: one estimand


def test_two_identical_quants_reach_equivalence() -> None:
    # The same model twice (a run's score 13 to 15): within ±1 point after a few dozen shared seeds.
    rng = random.Random(5)
    marks = {f"c{j}": 1.0 for j in range(15)}
    a = [RunPoints(s, {f"c{j}": 1.0 for j in range(rng.choice([13, 14, 14, 15]))}) for s in range(40)]
    b = [RunPoints(s, {f"c{j}": 1.0 for j in range(rng.choice([13, 14, 14, 15]))}) for s in range(40)]
    assert compare(a[:3], b[:3], marks).verdict is Conclusion.UNDECIDED
    assert compare(a, b, marks).verdict is Conclusion.EQUIVALENT


def test_intervals_cover_a_simulated_truth_about_95_percent_of_the_time() -> None:
    # 300 simulated 5-seed sweeps of 10 independent checks at known rates: the mean's truth is the
    # sum of the rates; a calibrated 95% interval covers it 90-99% of the time.
    rng = random.Random(11)
    rates = [0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97]
    marks = {f"t{j}": 1.0 for j in range(10)}
    hits = 0
    for _ in range(300):
        low, high = score_posterior(_item_runs(rng, rates, 5), marks).interval(0.95)
        hits += low <= sum(rates) <= high
    assert 0.90 <= hits / 300 <= 0.99


def _program_runs(rng: random.Random, build: float, seeds: int, start: int = 0) -> list[RunPoints]:
    """Runs of three programs of five one-point checks each (`p.build` gates `p.c1` to `p.c4`)."""
    runs = []
    for s in range(start, start + seeds):
        points = {}
        for p in ("a", "b", "c"):
            built = rng.random() < build
            points[f"{p}.build"] = float(built)
            points.update({f"{p}.c{j}": float(built) for j in range(1, 5)})
        runs.append(RunPoints(s, points))
    return runs


PROGRAM_MARKS = {f"{p}.{c}": 1.0 for p in ("a", "b", "c") for c in ("build", "c1", "c2", "c3", "c4")}


def test_the_design_effect_is_pooled_model_by_model() -> None:
    # Two models far apart pooled as one would look like one model of huge spread; the design-effect
    # terms are each model's about its own mean, so the pool of both is the sum of each alone.
    rng = random.Random(6)
    weak, strong = _program_runs(rng, 0.3, 8), _program_runs(rng, 0.95, 8, 50)
    both = pool_of_models([weak, strong], PROGRAM_MARKS)
    alone = [pool_of_models([m], PROGRAM_MARKS) for m in (weak, strong)]
    assert both.observed == pytest.approx(sum(p.observed for p in alone))
    assert both.implied == pytest.approx(sum(p.implied for p in alone))
    assert both.dof == sum(p.dof for p in alone) > 0
    assert pool_of_models([weak + strong], PROGRAM_MARKS).observed > 2 * both.observed


def test_a_model_whose_runs_conflict_with_the_others_scoring_rate_escapes_their_pull(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four runs that all score, beside models that score in 2 runs of 10 (they rarely compile) or in
    # 10 of 10. The scoring rate's prior is a mixture: the others' rate, and a vague part that takes
    # the weight when the model's own runs conflict with the others'.
    model, marks = _runs(8, 8, 7, 8, checks=10)
    weak = pool_of_models([_runs(0, 0, 0, 6, 0, 0, 0, 0, 7, 0, checks=10)[0]], marks)
    strong = pool_of_models([_runs(8, 7, 8, 8, 8, 8, 7, 8, 8, 8, checks=10)[0]], marks)
    alone_low, _ = score_posterior(model, marks).interval(0.95)
    beside_weak, _ = score_posterior(model, marks, weak).interval(0.95)
    beside_strong, _ = score_posterior(model, marks, strong).interval(0.95)
    assert beside_strong > alone_low + 1.0, "others that agree no longer narrow the interval"
    assert beside_weak > alone_low - 0.5, "others that conflict still drag the interval down"
    monkeypatch.setattr(intervals, "POOL_WEIGHT", 1.0)  # the others' rate alone, as before the mixture
    pulled, _ = score_posterior(model, marks, weak).interval(0.95)
    assert pulled < beside_weak - 0.5
