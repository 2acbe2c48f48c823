"""The article's published scores beside ours, after a regrade: per model, per test and per response."""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.reports.tables import DASH, Table, check_order, fmt_number, fmt_ratio, fmt_score
from scheduler.results.runs import GradeChoice, GradeRow, Run, SweepRuns
from scheduler.stats.summary import check_counts, mean_of


def paired_runs(sweep_runs: SweepRuns) -> list[Run]:
    """Runs graded both by the article and by us."""
    return [r for r in sweep_runs.runs if r.external is not None and r.ours is not None]


def _program(name: str) -> str:
    """Our v1 checks are per program and stage (`factorial.build`); the article's are per program."""
    return name.split(".", 1)[0]


def _by_program(grade: GradeRow) -> dict[str, tuple[float, float]]:
    totals: dict[str, tuple[float, float]] = {}
    for check in grade.checks:
        key = _program(str(check.get("name")))
        points, maximum = totals.get(key, (0.0, 0.0))
        totals[key] = (
            points + float(check.get("points") or 0),
            maximum + float(check.get("max_points") or 0),
        )
    return totals


def _short(grade: GradeRow | None) -> str:
    if grade is None:
        return DASH
    return f"{fmt_score(grade.score)}/{fmt_score(grade.max_score)} {grade.verdict}"


def comparison_tables(sweep_runs: SweepRuns) -> list[Table]:
    """Article against ours; empty when no run has both grades."""
    both = paired_runs(sweep_runs)
    if not both:
        return []
    order = {m: i for i, m in enumerate(sweep_runs.model_order)}
    both.sort(key=lambda r: (r.exam, order.get(r.model, len(order)), r.seed))
    return [_per_model(both), *_per_test(both), _per_response(sweep_runs.runs, order)]


def _per_model(runs: Sequence[Run]) -> Table:
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.exam, run.label), []).append(run)
    rows = []
    for (exam, label), group in groups.items():
        article = mean_of(r.external.score for r in group if r.external)
        ours = mean_of(r.ours.score for r in group if r.ours)
        diff = None if article is None or ours is None else ours - article
        rows.append(
            [
                label,
                exam,
                str(len(group)),
                fmt_number(article),
                fmt_number(ours),
                DASH if diff is None else f"{diff:+.1f}",
                fmt_ratio(sum(bool(r.external and r.external.compiled) for r in group), len(group)),
                fmt_ratio(sum(bool(r.ours and r.ours.compiled) for r in group), len(group)),
            ]
        )
    return Table(
        "compare-models",
        "The article's scores and ours, per model",
        [
            "Model",
            "Exam",
            "Runs",
            "Article mean",
            "Our mean",
            "Ours − article",
            "Article compiles",
            "Our compiles",
        ],
        rows,
        [
            (
                "Every run graded by both is counted as scored here (the article's convention), whatever "
                "its verdict."
            )
        ],
    )


def _per_test(runs: Sequence[Run]) -> list[Table]:
    tables = []
    for exam in sorted({r.exam for r in runs}):
        group = [r for r in runs if r.exam == exam]
        article = check_counts(group, GradeChoice.EXTERNAL)
        ours = check_counts(group, GradeChoice.OURS)
        if exam == "v1":
            rows = _program_rows(group)
            columns = ["Program", "Article points", "Our points"]
        else:
            names = sorted(set(article) | set(ours), key=check_order)
            rows = [
                [
                    n,
                    fmt_ratio(*article[n]) if n in article else DASH,
                    fmt_ratio(*ours[n]) if n in ours else DASH,
                ]
                for n in names
            ]
            columns = ["Test", "Article pass (compiled runs)", "Our pass (compiled runs)"]
        tables.append(
            Table(f"compare-tests-{exam}", f"Exam {exam}: the article's tests and ours", columns, rows)
        )
    return tables


def _program_rows(runs: Sequence[Run]) -> list[list[str]]:
    article: dict[str, list[float]] = {}
    ours: dict[str, list[float]] = {}
    for run in runs:
        for target, grade in ((article, run.external), (ours, run.ours)):
            if grade is None:
                continue
            for name, (points, maximum) in _by_program(grade).items():
                got = target.setdefault(name, [0.0, 0.0])
                got[0] += points
                got[1] += maximum
    names = sorted(set(article) | set(ours))
    return [
        [
            n,
            f"{fmt_score(article[n][0])}/{fmt_score(article[n][1])}" if n in article else DASH,
            f"{fmt_score(ours[n][0])}/{fmt_score(ours[n][1])}" if n in ours else DASH,
        ]
        for n in names
    ]


def _per_response(runs: Sequence[Run], order: dict[str, int]) -> Table:
    shown = sorted(
        (r for r in runs if r.external is not None),
        key=lambda r: (r.exam, order.get(r.model, len(order)), r.seed),
    )
    rows = [[r.label, r.exam, str(r.seed), _short(r.external), _short(r.ours)] for r in shown]
    regraded = sum(1 for r in shown if r.ours is not None)
    return Table(
        "compare-responses",
        "Every response: the article's grade and ours",
        ["Model", "Exam", "Seed", "Article", "Ours"],
        rows,
        [f"{regraded} of {len(shown)} responses regraded by our graders."],
    )
