"""Reports of an exam of items (go-tasks): one job per task, one whole-exam score per (model, seed)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from exams.registry import get_exam, job_exams
from scheduler.catalog import Model
from scheduler.db import connect
from scheduler.settings import Settings
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
    assert s["scores_by_seed"] == {"1": 1.5, "2": 2.25}  # seed 3 has a truncated task: infra, left out
    assert (s["n"], s["mean"]) == (2, 1.875)
    assert s["verdicts"] == {"test_fail": 2, "truncated": 1}
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
    assert s["scores_by_seed"] == {"1": 1.5}


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
    """A go-tasks sweep of recorded answers: each model answers each of the 27 tasks, per seed, with
    the task's reference or one of its known-bad solutions (the exam's qualification cases), and
    gets the grade those cases are known to earn. A model of level L passes a task of rank r (0
    easiest) with probability L + 0.5 - r / 26, drawn once per (model, task, seed)."""
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
                case = reference if rng.random() < level + 0.5 - rank / 26 else rng.choice(bad)
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
    assert len(rows) == 27 and all(r[3] in ("", "every model passes", "every model fails") for r in rows)
