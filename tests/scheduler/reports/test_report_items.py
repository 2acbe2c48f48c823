"""Reports of an exam of items (go-tasks): one job per task, one whole-exam score per (model, seed)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from exams.registry import get_exam, job_exams
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.sweeps.catalog import Model
from tests.support.reporting import report_json, stats_by
from tests.support.runs import add_run, add_sweep


def _task(
    conn: Any, seed: int, task: str, score: float | None, verdict: str, *, finish: str = "stop"
) -> None:
    generation = {
        "outcome": "truncated" if finish == "length" else "ok",
        "finish_reason": finish,
        "completion_tokens": 200,
        "decode_tps": 40,
        "wall_s": 5,
    }
    graded = None
    if score is not None:
        checks = [{"name": "TestA", "passed": score > 0, "points": 1, "max_points": 1}]
        graded = {
            "grader_version": "go-tasks-x",
            "score": score,
            "max_score": 1,
            "verdict": verdict,
            "compiled": verdict in ("ok", "test_fail"),
            "checks": checks,
        }
    add_run(conn, "t", "m", f"go-tasks/{task}", seed, generation, graded)


@pytest.fixture
def task_sweep(settings: Settings) -> Settings:
    """Model m on three tasks over three seeds; seed 3 has a truncated task."""
    with connect(settings) as conn, conn.transaction():
        add_sweep(conn, "t", {"models": ["m"]}, [Model("m", "M", "f", "Q4", 1)])
        for task, score, verdict in (
            ("lru", 1.0, "ok"),
            ("roman", 0.5, "test_fail"),
            ("zip", 0.0, "compile_fail"),
        ):
            _task(conn, 1, task, score, verdict)
        for task, score, verdict in (("lru", 1.0, "ok"), ("roman", 1.0, "ok"), ("zip", 0.25, "test_fail")):
            _task(conn, 2, task, score, verdict)
        _task(conn, 3, "lru", 1.0, "ok")
        _task(conn, 3, "roman", 1.0, "ok")
        _task(conn, 3, "zip", 0.0, "truncated", finish="length")
    return settings


def test_an_exam_of_items_is_summed_per_seed_with_a_check_per_task(task_sweep: Settings) -> None:
    report = report_json(task_sweep, "t")
    stats = stats_by(report)
    assert list(stats) == [("m", "go-tasks")]  # the tasks are one exam in the tables
    s = stats[("m", "go-tasks")]
    # Seed 3's truncated task is infra: the seed is judged on its other two, on the exam's scale.
    assert s["scores_by_seed"] == {"1": 1.5, "2": 2.25, "3": 3.0}
    assert (s["n"], s["mean"]) == (3, 2.25)
    assert s["verdicts"] == {"ok": 1, "test_fail": 2}
    assert (s["items_judged"], s["items"], s["infra_items"]) == (8, 9, ["seed 3 zip: truncated"])
    # Per task over every seed that built something; the truncated task of seed 3 is left out.
    assert s["checks"] == {
        "lru": {"passed": 3, "runs": 3},
        "roman": {"passed": 2, "runs": 3},
        "zip": {"passed": 0, "runs": 2},
    }
    assert report["exam_max"] == {"go-tasks": 3.0}
    assert report["jobs"] == 9  # the per-task jobs themselves are all kept


def test_a_seed_with_an_ungraded_task_has_no_whole_exam_score_yet(task_sweep: Settings) -> None:
    with connect(task_sweep) as conn:
        conn.execute(
            "DELETE FROM grades WHERE generation_id IN (SELECT g.id FROM generations g"
            " JOIN jobs j ON j.id = g.job_id WHERE j.seed = 2 AND j.exam = 'go-tasks/zip')"
        )
    s = stats_by(report_json(task_sweep, "t"))[("m", "go-tasks")]
    assert s["scores_by_seed"] == {"1": 1.5, "3": 3.0}  # seed 2 waits for its grade


ITEMS = [f"t{i:02d}" for i in range(27)]


def _item_run(conn: Any, model: str, seed: int, item: str, passed: bool, verdict: str | None = None) -> None:
    verdict = verdict or ("ok" if passed else "test_fail")
    infra = verdict == "grader_error"
    checks = [] if infra else [{"name": "TestA", "passed": passed, "points": int(passed), "max_points": 1}]
    grade = {
        "grader_version": "go-tasks-x",
        "score": float(passed and not infra),
        "max_score": 1,
        "verdict": verdict,
        "compiled": not infra,
        "checks": checks,
    }
    generation = {"outcome": "ok", "finish_reason": "stop", "completion_tokens": 100, "decode_tps": 40}
    add_run(conn, "q", model, f"go-tasks/{item}", seed, generation, grade)


def test_one_infra_item_leaves_the_other_26_of_its_seed_judged_and_compared(settings: Settings) -> None:
    """Two quants of a family over three seeds of 27 tasks; B's seed 2 has one grader_error task.
    That seed stays in B's mean (on its 26 judged tasks) and in the paired comparison, which
    compares the 26 tasks both judged there: 80 (seed, task) pairs in all, not 54."""
    with connect(settings) as conn, conn.transaction():
        add_sweep(
            conn, "q", {"models": ["a", "b"]}, [Model("a", "A", "f", "Q8", 8), Model("b", "B", "f", "Q4", 4)]
        )
        for seed in (1, 2, 3):
            for k, item in enumerate(ITEMS):
                _item_run(conn, "a", seed, item, passed=k < 20)
                infra = "grader_error" if (seed, item) == (2, "t13") else None
                _item_run(conn, "b", seed, item, passed=k < 18, verdict=infra)
    report = report_json(settings, "q")
    b = stats_by(report)[("b", "go-tasks")]
    assert b["n"] == 3 and b["scores_by_seed"]["2"] == round(17 * 27 / 26, 4)  # 17 of 26 judged, on 27
    assert (b["items_judged"], b["items"], b["infra_items"]) == (80, 81, ["seed 2 t13: grader_error"])
    assert b["verdicts"] == {"test_fail": 3}
    (comparison,) = report["comparisons"]
    assert (comparison["seeds"], comparison["checks_compared"]) == (3, 27 + 26 + 27)
    # Seed 2 compares the 26 tasks both judged: B passed 17 and A 19 of them, -2 on 26, -2.0769 on 27.
    assert comparison["mean_diff"] == pytest.approx((-2 - 2 * 27 / 26 - 2) / 3)
    assert comparison["a_only"] == 2 + 2 + 2
    # On tasks like these, t18 and t19 differ by -1 in every seed both judged them, and t13 (left
    # out in B's seed 2) by 0 in the others: the 27 tasks' paired differences sum to -2.
    assert comparison["tasks"] == 27 and comparison["items_verdict"] is not None
    assert (comparison["items_ci_low"] + comparison["items_ci_high"]) / 2 == pytest.approx(-2.0)
    exam_table = next(t for t in report["tables"] if t["id"] == "exam-go-tasks")
    assert any(
        "B: the mean rests on 80 of 81 items judged" in n and "seed 2 t13: grader_error" in n
        for n in exam_table["notes"]
    )


@pytest.fixture
def health_sweep(settings: Settings) -> Settings:
    """Four models on six go-tasks over three seeds: `easy` every model passes, `hard` none does,
    the others passed more often the better the model (m3 best)."""
    models = ["m0", "m1", "m2", "m3"]
    with connect(settings) as conn, conn.transaction():
        add_sweep(conn, "h", {"models": models}, [Model(m, m.upper(), "f", "Q4", 1) for m in models])
        for level, model in enumerate(models):
            for seed in (1, 2, 3):
                for rank, task in enumerate(("easy", "a", "b", "c", "d", "hard")):
                    passed = task == "easy" or (task != "hard" and (rank + seed) % 4 < level + 1)
                    generation = {
                        "outcome": "ok",
                        "finish_reason": "stop",
                        "completion_tokens": 100,
                        "wall_s": 4,
                    }
                    graded = {
                        "grader_version": "go-tasks-x",
                        "score": float(passed),
                        "max_score": 1,
                        "verdict": "ok" if passed else "test_fail",
                        "compiled": True,
                        "checks": [
                            {"name": "TestA", "passed": passed, "points": int(passed), "max_points": 1}
                        ],
                    }
                    add_run(conn, "h", model, f"go-tasks/{task}", seed, generation, graded)
    return settings


def test_the_health_of_an_exam_of_items(health_sweep: Settings) -> None:
    tables = {t["id"]: t for t in report_json(health_sweep, "h")["tables"]}
    summary = dict(tables["health-go-tasks"]["rows"])
    assert summary["Models, median seeds"] == "4, 3" and summary["Dead tasks (checks)"] == "2 of 6"
    rho = summary["Split-half rank stability (Spearman, median and 5-95%)"]
    assert float(rho.split()[0]) > 0.5  # the models' order holds on either half of the tasks
    # A seed of one model is six generations of 4 s each: the cost counts both.
    ten = summary["To separate two models by 10 points of 100"]
    seeds, generations = int(ten.split()[0]), int(ten.split(", ")[1].split()[0])
    assert generations == 2 * 6 * seeds and f"{2 * seeds * 24 / 3600:.2f} GPU hours" in ten
    rows = tables["health-tasks-go-tasks"]["rows"]
    dead = {r[0]: r[3] for r in rows if r[3]}
    assert dead == {"easy": "every model passes", "hard": "every model fails"}
    assert [r[0] for r in rows][-2:] in (["easy", "hard"], ["hard", "easy"])  # no discrimination at all


def recorded_go_tasks(conn: Any, sweep: str, levels: dict[str, float], seeds: tuple[int, ...]) -> None:
    """A go-tasks sweep of recorded answers: each model answers each of the exam's tasks, per seed, with
    the task's reference or one of its known-bad solutions (the exam's qualification cases), and
    gets the grade those cases are known to earn. A model of level L passes a task of rank r (0
    easiest, of T) with probability L + 0.5 - r / (T - 1), drawn once per (model, task, seed)."""
    rng = random.Random(28)
    tasks = job_exams("go-tasks")
    add_sweep(conn, sweep, {"models": list(levels)}, [Model(m, m, "f", m, 1) for m in levels])
    for model, level in levels.items():
        for rank, task in enumerate(tasks):
            exam = get_exam(task)
            cases = exam.qualification_cases()
            reference = next(c for c in cases if c.name == "reference")
            bad = [c for c in cases if c.name != "reference"]
            for seed in seeds:
                case = reference if rng.random() < level + 0.5 - rank / (len(tasks) - 1) else rng.choice(bad)
                checks = [
                    {"name": n, "passed": ok, "points": int(ok), "max_points": 1}
                    for n, ok in case.expected_checks.items()
                ]
                graded = {
                    "grader_version": "recorded",
                    "score": case.expected_score,
                    "max_score": exam.max_score,
                    "verdict": str(case.expected_verdict),
                    "compiled": case.expected_verdict in ("ok", "test_fail"),
                    "checks": checks,
                }
                generation = {"outcome": "ok", "finish_reason": "stop", "completion_tokens": 300, "wall_s": 6}
                add_run(conn, sweep, model, task, seed, generation, graded)


def test_the_health_of_a_go_tasks_sweep_of_recorded_answers(settings: Settings) -> None:
    with connect(settings) as conn, conn.transaction():
        recorded_go_tasks(conn, "rec", {"weak": 0.1, "mid": 0.3, "good": 0.5, "strong": 0.7}, (1, 2, 3))
    tables = {t["id"]: t for t in report_json(settings, "rec")["tables"]}
    summary = dict(tables["health-go-tasks"]["rows"])
    assert summary["Models, median seeds"] == "4, 3"
    median = float(summary["Split-half rank stability (Spearman, median and 5-95%)"].split()[0])
    assert 0.0 < median <= 1.0
    rows = tables["health-tasks-go-tasks"]["rows"]
    assert len(rows) == len(job_exams("go-tasks")) and all(
        r[3] in ("", "every model passes", "every model fails") for r in rows
    )


def test_a_task_one_model_never_judged_is_left_out_of_the_exam_health(settings: Settings) -> None:
    """Three models on 27 tasks over two seeds; C's task t13 ends in grader_error in both seeds.
    t13 says nothing of C, so the health ranks the 26 other tasks, with no NaN rates, and C's mean
    and its comparisons stand on the tasks C was judged on."""
    models = [Model(m, m.upper(), "f", q, 1) for m, q in (("a", "Q8"), ("b", "Q6"), ("c", "Q4"))]
    with connect(settings) as conn, conn.transaction():
        add_sweep(conn, "q", {"models": ["a", "b", "c"]}, models)
        for seed in (1, 2):
            for k, item in enumerate(ITEMS):
                _item_run(conn, "a", seed, item, passed=k < 20)
                _item_run(conn, "b", seed, item, passed=k < 14 + seed)
                infra = "grader_error" if item == "t13" else None
                _item_run(conn, "c", seed, item, passed=k < 10, verdict=infra)
    report = report_json(settings, "q")
    tables = {t["id"]: t for t in report["tables"]}
    rows = tables["health-tasks-go-tasks"]["rows"]
    assert len(rows) == 26 and "t13" not in {r[0] for r in rows}
    assert not any("nan" in str(cell) for row in rows for cell in row)
    c = stats_by(report)[("c", "go-tasks")]
    assert c["scores_by_seed"] == {"1": round(10 * 27 / 26, 4), "2": round(10 * 27 / 26, 4)}
    assert all(x["checks_compared"] in (27 * 2, 26 * 2) for x in report["comparisons"])
