"""Adaptive sweeps: seeds go only to cells with an open comparison; advance() is safe to repeat."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from psycopg.types.json import Jsonb

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.sweeps import sweep_definition
from scheduler.fleet.adaptive import SEED_SEQUENCE, Cell, advance, next_seed, plan_round
from scheduler.stats.comparisons import AdaptiveRules, Conclusion
from scheduler.stats.intervals import RunPoints

MARKS = {f"t{j}": 1.0 for j in range(10)}


def _cell(*scores: int) -> Cell:
    runs = [
        RunPoints(seed, {f"t{j}": 1.0 for j in range(s)})
        for seed, s in zip(SEED_SEQUENCE, scores, strict=False)
    ]
    return Cell(runs, [s > 0 for s in scores], MARKS)


def test_the_seed_sequence_starts_with_the_articles_seeds_and_skips_seeds_already_run() -> None:
    assert SEED_SEQUENCE[:3] == (42, 123, 456) and len(set(SEED_SEQUENCE)) == len(SEED_SEQUENCE)
    assert next_seed([42, 123, 456]) == SEED_SEQUENCE[3]
    assert next_seed([123]) == 42


def test_only_cells_of_undecided_comparisons_get_another_seed() -> None:
    cells = {"a": _cell(2, 1, 1), "b": _cell(3, 4, 2), "c": _cell(10, 10, 10)}
    # a against b is open; c is clearly better than both.
    plan = plan_round(cells, [("a", "b"), ("a", "c"), ("b", "c")], AdaptiveRules(max_seeds=10))
    assert (
        plan.verdicts[("a", "c")] is Conclusion.B_BETTER and plan.verdicts[("b", "c")] is Conclusion.B_BETTER
    )
    assert plan.verdicts[("a", "b")] is Conclusion.UNDECIDED
    assert set(plan.open_cells) == {"a", "b"} and "against b: undecided after 3" in plan.open_cells["a"]


def test_an_early_verdict_a_full_sweep_might_not_confirm_keeps_its_cells_open() -> None:
    # 4 seeds: b is better, by paired differences of 3, 2, 2, 1 that more seeds could still wash
    # out; 8 seeds like them: settled.
    rules = AdaptiveRules(max_seeds=10)
    shaky = plan_round({"a": _cell(0, 1, 4, 5), "b": _cell(3, 3, 6, 6)}, [("a", "b")], rules)
    assert shaky.verdicts[("a", "b")] is Conclusion.B_BETTER
    assert set(shaky.open_cells) == {"a", "b"}
    assert (
        "B better after 4 shared seeds, which 10 seeds would confirm with a chance of 88%"
        in shaky.open_cells["a"]
    )
    firm = plan_round(
        {"a": _cell(0, 1, 4, 5, 0, 1, 4, 5), "b": _cell(3, 3, 6, 6, 3, 3, 6, 6)}, [("a", "b")], rules
    )
    assert firm.verdicts[("a", "b")] is Conclusion.B_BETTER and not firm.open_cells


def test_verdict_chances_add_up_and_favour_the_verdict_the_data_points_to() -> None:
    from scheduler.stats.comparisons import chance_to_keep, chance_to_settle, compare, verdict_chances

    c = compare(_cell(1, 1, 1, 1).runs, _cell(3, 3, 6, 6).runs, MARKS)
    chances = verdict_chances(c, 10)
    assert sum(chances.values()) == pytest.approx(1.0)
    assert chances[Conclusion.B_BETTER] > 0.5 > chances[Conclusion.A_BETTER]
    assert chance_to_keep(c, 10) == chances[Conclusion.B_BETTER]
    assert chance_to_settle(c, 10) == pytest.approx(1.0 - chances[Conclusion.UNDECIDED])
    assert verdict_chances(c, 4) == {Conclusion.B_BETTER: 1.0}  # no seeds to come: the verdict stands
    assert verdict_chances(c, 10) == chances  # a fixed stream: the same answer on every call


def test_verdict_chances_judge_the_seeds_to_come_by_the_rules_themselves() -> None:
    # The same draws of the seeds to come, one seed at a time, appended to the observed differences
    # and judged by shrunk_estimate and decide, as a fixed sweep of 10 seeds would judge them.
    import math

    import numpy as np

    from scheduler.stats.comparisons import (
        PREDICTIVE_DRAWS,
        compare,
        decide,
        verdict_chances,
    )
    from scheduler.stats.intervals import NU0, shrunk_estimate

    a, b = _cell(2, 1, 1, 3), _cell(3, 4, 2, 4)
    c = compare(a.runs, b.runs, MARKS)
    assert c.prior_variance is not None and c.sd_one_seed is not None and c.mean_diff is not None
    observed = np.array([y.score - x.score for x, y in zip(a.runs, b.runs, strict=True)])
    rng = np.random.default_rng(7)
    dof = NU0 + c.seeds - 1
    counts = dict.fromkeys(Conclusion, 0)
    for _ in range(PREDICTIVE_DRAWS // 4):
        variance = dof * c.sd_one_seed**2 / rng.chisquare(dof)
        truth = c.mean_diff + math.sqrt(variance / c.seeds) * rng.standard_normal()
        future = truth + math.sqrt(variance) * rng.standard_normal(10 - c.seeds)
        counts[decide(shrunk_estimate(np.append(observed, future), c.prior_variance, -10, 10), c.margin)] += 1
    chances = verdict_chances(c, 10)
    for verdict, count in counts.items():
        assert chances[verdict] == pytest.approx(count / (PREDICTIVE_DRAWS // 4), abs=0.04)
    assert 0.3 < chances[Conclusion.B_BETTER] < 0.9 and chances[Conclusion.UNDECIDED] > 0.1


def test_an_uncertain_spread_makes_an_early_verdict_less_sure() -> None:
    # Four seeds of differences 2, 2, 2, 2 say nothing of their spread beyond the prior's one seed; the
    # chance that 10 seeds keep the verdict integrates over it: it is not a sure thing.
    from scheduler.stats.comparisons import chance_to_keep, compare

    c = compare(_cell(1, 1, 1, 1).runs, _cell(3, 3, 3, 3).runs, MARKS)
    later = compare(_cell(1, 1, 1, 1, 1, 1, 1, 1).runs, _cell(3, 3, 3, 3, 3, 3, 3, 3).runs, MARKS)
    assert c.verdict is Conclusion.B_BETTER and later.verdict is Conclusion.B_BETTER
    assert 0.5 < chance_to_keep(c, 10) < 0.99 < chance_to_keep(later, 10)


def test_decide_many_is_decide_on_each_distribution() -> None:
    import numpy as np

    from scheduler.stats.comparisons import VERDICT_CODES, decide, decide_many
    from scheduler.stats.intervals import Estimate

    rng = np.random.default_rng(3)
    centres, scales = rng.normal(0.0, 3.0, 300), np.append(rng.exponential(1.0, 299), 0.0)
    codes = decide_many(centres, scales, 4.0, 1.0, 0.95, -6.0, 6.0)
    expected = [
        decide(Estimate(m, s, 4.0, -6.0, 6.0), 1.0, 0.95) for m, s in zip(centres, scales, strict=True)
    ]
    assert [VERDICT_CODES[i] for i in codes] == expected and len(set(expected)) == 4
    with pytest.raises(ValueError, match="confidence"):
        decide_many(centres, scales, 4.0, 1.0, 0.4)


def test_a_cell_that_never_compiled_is_pruned_and_loses_to_one_that_did() -> None:
    cells = {"a": _cell(0, 0, 0), "b": _cell(0, 3, 0)}
    plan = plan_round(cells, [("a", "b")], AdaptiveRules(prune_after_compile_zero=3))
    assert "compiled 0 of its first 3" in plan.pruned["a"]
    assert plan.verdicts[("a", "b")] is Conclusion.B_BETTER and not plan.open_cells


def test_a_spent_budget_closes_a_cell() -> None:
    cells = {"a": _cell(6, 0, 6), "b": _cell(6, 6, 0)}
    plan = plan_round(cells, [("a", "b")], AdaptiveRules(max_seeds=3))
    assert not plan.open_cells and "budget of 3 seeds spent" in plan.pruned["a"]


@pytest.fixture
def adaptive_sweep(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A sweep file with two quants of one family on v2 and an adaptive block, its 6 jobs graded."""
    import shutil

    from scheduler.sweeps.commands import submit_sweep

    sweeps = tmp_path / "sweeps"
    sweeps.mkdir()
    shutil.copy(settings.sweeps_dir / "models.yaml", sweeps / "models.yaml")
    (sweeps / "ad.yaml").write_text(
        "models: [gemma4-26b-q4km, gemma4-26b-q5km]\nexams: [v2]\nseeds: [42, 123, 456]\n"
        "adaptive: {max_seeds: 5, margin: 1.0, confidence: 0.95, prune_after_compile_zero: 3}\n"
    )
    monkeypatch.setenv("SWEEPS_DIR", str(sweeps))
    ready = Settings.from_env(
        {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url, "SWEEPS_DIR": str(sweeps)}
    )
    submit_sweep(ready, "ad", rerun=False, requeue=False)
    with connect(ready) as conn, conn.transaction():
        _grade_all(
            conn,
            {
                ("gemma4-26b-q4km", 42): 7,
                ("gemma4-26b-q4km", 123): 7,
                ("gemma4-26b-q4km", 456): 6,
                ("gemma4-26b-q5km", 42): 3,
                ("gemma4-26b-q5km", 123): 0,
                ("gemma4-26b-q5km", 456): 4,
            },
        )
    return ready


def _grade_all(conn: object, scores: dict[tuple[str, int], int]) -> None:
    rows = conn.execute("SELECT id, model, seed FROM jobs WHERE state <> 'done'").fetchall()  # type: ignore[attr-defined]
    for row in rows:
        score = scores[(row["model"], row["seed"])]
        gen = conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO generations (job_id, outcome, finish_reason) VALUES (%s, 'ok', 'stop') RETURNING id",
            (row["id"],),
        ).fetchone()
        checks = [
            {"name": f"T{j}", "passed": j < score, "points": int(j < score), "max_points": 1}
            for j in range(10)
        ]
        conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO grades (generation_id, grader_version, score, max_score, verdict, compiled, checks)"
            " VALUES (%s, 'test-1', %s, 10, %s, %s, %s)",
            (gen["id"], score, "test_fail" if score else "compile_fail", score > 0, Jsonb(checks)),
        )
        conn.execute(  # type: ignore[attr-defined]
            "UPDATE jobs SET state = 'done', verdict = %s WHERE id = %s",
            ("test_fail" if score else "compile_fail", row["id"]),
        )


def _seeds(settings: Settings) -> dict[str, list[int]]:
    with connect(settings) as conn:
        rows = conn.execute("SELECT model, seed FROM jobs WHERE sweep = 'ad' ORDER BY model, seed").fetchall()
    out: dict[str, list[int]] = {}
    for r in rows:
        out.setdefault(r["model"], []).append(r["seed"])
    return out


def test_advance_adds_the_next_seed_to_open_cells_once_until_their_jobs_finish(
    adaptive_sweep: Settings,
) -> None:
    (summary,) = advance(adaptive_sweep)
    assert summary.sweep == "ad" and not summary.done
    assert summary.added == {"gemma4-26b-q4km/v2": 789, "gemma4-26b-q5km/v2": 789}
    assert _seeds(adaptive_sweep) == {
        "gemma4-26b-q4km": [42, 123, 456, 789],
        "gemma4-26b-q5km": [42, 123, 456, 789],
    }
    # Called again while the new jobs run: nothing more is added, and the cells say why they wait.
    (again,) = advance(adaptive_sweep)
    assert again.added == {} and sorted(again.waiting) == ["gemma4-26b-q4km/v2", "gemma4-26b-q5km/v2"]
    assert _seeds(adaptive_sweep)["gemma4-26b-q4km"] == [42, 123, 456, 789]
    # Rounds go on until every comparison is decided or the budget of 5 seeds is spent.
    later = {"gemma4-26b-q4km": [6, 7, 6], "gemma4-26b-q5km": [5, 0, 3]}
    for _ in range(3):
        with connect(adaptive_sweep) as conn, conn.transaction():
            seeds = _seeds(adaptive_sweep)
            _grade_all(conn, {(m, s): later[m][len(ss) - 4] for m, ss in seeds.items() for s in ss[3:]})
        (last,) = advance(adaptive_sweep)
        if last.done:
            break
    assert (
        last.done
        and last.added == {}
        and set(last.closed_cells) == {"gemma4-26b-q4km/v2", "gemma4-26b-q5km/v2"}
    )
    for cell_seeds in _seeds(adaptive_sweep).values():
        assert tuple(cell_seeds) == tuple(sorted(SEED_SEQUENCE[: len(cell_seeds)])) and len(cell_seeds) <= 5


def test_a_comparison_the_budget_cannot_settle_is_given_up() -> None:
    plan = plan_round({"a": _cell(6, 0, 6), "b": _cell(6, 6, 0)}, [("a", "b")], AdaptiveRules(max_seeds=5))
    assert not plan.open_cells and "would settle it with a chance of" in plan.given_up[("a", "b")]


def test_status_of_an_adaptive_sweep_names_its_open_cells_and_why(adaptive_sweep: Settings) -> None:
    import io

    from scheduler.cli.status import show

    out = io.StringIO()
    show(adaptive_sweep, "ad", out=out)
    text = out.getvalue()
    assert "adaptive: 2 cell(s) open, 0 closed" in text
    assert "open gemma4-26b-q4km/v2: against gemma4-26b-q5km/v2: undecided after 3 shared seeds" in text
    advance(adaptive_sweep)
    out = io.StringIO()
    show(adaptive_sweep, "ad", out=out)
    assert "(its jobs are running)" in out.getvalue()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "adaptive: {max_seeds: 2}",
            "adaptive.max_seeds must be an integer from the sweep's 3 seed(s) to 20",
        ),
        ("adaptive: {margin: -1}", "adaptive.margin must be a positive number of points, got -1"),
        ("adaptive: {margin: .inf}", "adaptive.margin must be a positive number of points, got inf"),
        ("adaptive: {budget: 3}", "unknown field 'budget' in adaptive"),
        (
            "tripwires: {infra_first_jobs: yes}",
            "tripwires.infra_first_jobs counts jobs or models: a positive whole number or false (off)",
        ),
        (
            "tripwires: {infra_first_jobs: 2.5}",
            "tripwires.infra_first_jobs counts jobs or models: a positive whole number or false (off), got 2.5",
        ),
        (
            "tripwires: {suspect_check_models: 1.5}",
            "tripwires.suspect_check_models counts jobs or models: a positive whole number or false (off), got 1.5",
        ),
        (
            "tripwires: {tiny_latency_s: .nan}",
            "tripwires.tiny_latency_s must be a positive number of seconds or false (off), got nan",
        ),
        ("tripwires: false", "(to turn them off, set each to false)"),
        ("tripwires: {pause: 3}", "tripwires.pause must be true or false (flag without pausing), got 3"),
    ],
)
def test_a_bad_adaptive_or_tripwires_block_is_one_clear_error(
    settings: Settings, tmp_path: Path, block: str, message: str
) -> None:
    import shutil

    from scheduler.core.errors import SweepFileError
    from scheduler.sweeps.catalog import load_catalog, load_sweep

    shutil.copy(settings.sweeps_dir / "models.yaml", tmp_path / "models.yaml")
    (tmp_path / "bad.yaml").write_text(
        f"models: [gemma4-26b-q4km]\nexams: [v2]\nseeds: [42, 123, 456]\n{block}\n"
    )
    with pytest.raises(SweepFileError, match="sweep file bad.yaml: ") as err:
        load_sweep(tmp_path, "bad", load_catalog(tmp_path), ["v2"])
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_leading_reconciler_advances_adaptive_sweeps_without_an_operator(
    adaptive_sweep: Settings,
) -> None:
    from scheduler.fleet.reconcile import FLEET_DUTIES, Reconciler

    reconciler = Reconciler(adaptive_sweep, "cpu@one", duties=FLEET_DUTIES)
    try:
        assert reconciler.step() is not None
    finally:
        reconciler.close()
    assert _seeds(adaptive_sweep) == {
        "gemma4-26b-q4km": [42, 123, 456, 789],
        "gemma4-26b-q5km": [42, 123, 456, 789],
    }


def test_the_duty_reads_the_stored_sweep_not_the_workers_sweep_files(
    adaptive_sweep: Settings, tmp_path: Path
) -> None:
    # A leading worker whose SWEEPS_DIR has no such sweep (and whose catalog is empty) still
    # advances it from what Postgres holds, and leaves the stored definition as it was.
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    (empty / "models.yaml").write_text("models: []\n")
    worker = replace(adaptive_sweep, sweeps_dir=empty)
    with connect(worker) as conn:
        before = sweep_definition(conn, "ad")
        params = conn.execute("SELECT DISTINCT params_hash FROM jobs WHERE sweep = 'ad'").fetchall()
    (summary,) = advance(worker)
    assert summary.added == {"gemma4-26b-q4km/v2": 789, "gemma4-26b-q5km/v2": 789}
    with connect(worker) as conn:
        after = sweep_definition(conn, "ad")
        new = conn.execute("SELECT params_hash FROM jobs WHERE sweep = 'ad' AND seed = 789").fetchall()
    assert (
        after is not None
        and after == before
        and {r["params_hash"] for r in new} <= {r["params_hash"] for r in params}
    )
