"""The report's tables, as plain rows of text: the article's tables first, then what it lacked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from exams.v2.harness import TEST_NAMES as V2_TESTS
from scheduler.db.vocabulary import INFRA_VERDICTS
from scheduler.reports.cells import EMPTY as DASH
from scheduler.reports.cells import number as fmt_number
from scheduler.reports.cells import points as fmt_score
from scheduler.reports.cells import ratio as fmt_ratio
from scheduler.results.runs import ALL_VERDICTS, NOT_GRADED
from scheduler.stats.comparisons import DEFAULT_MARGIN, Comparison, Conclusion, compare
from scheduler.stats.intervals import proportion_interval
from scheduler.stats.pairing import quant_families, quant_pairs
from scheduler.stats.pareto import PARETO_AXES, pareto_models
from scheduler.stats.summary import ModelExamStats

__all__ = ["DASH", "Table", "check_order", "fmt_number", "fmt_ratio", "fmt_score"]


@dataclass
class Table:
    """One titled table of text cells, with notes printed under it."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The table as JSON."""
        return {
            "id": self.id,
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "notes": self.notes,
        }


def fmt_range(s: ModelExamStats) -> str:
    """Min–max over seeds, as the article writes it."""
    if s.scores.minimum is None:
        return DASH
    return f"{fmt_score(s.scores.minimum)}{DASH}{fmt_score(s.scores.maximum)}"


def fmt_ci(s: ModelExamStats) -> str:
    """The 95% interval of the mean, a dash when n < 2."""
    if s.scores.ci_low is None:
        return DASH
    return f"{s.scores.ci_low:.1f} to {s.scores.ci_high:.1f}"


def fmt_compiles(k: int, n: int, s: ModelExamStats, *, with_interval: bool = False) -> str:
    """`k/n` compiled runs (with Wilson's interval: `fmt_rate`); a dash when no run was judged on its
    code (every grade an infra or grader outcome), where `0/n` would read as n failed builds."""
    if not s.n_model_verdicts:
        return DASH
    return fmt_rate(k, n) if with_interval else fmt_ratio(k, n)


def fmt_rate(k: int, n: int) -> str:
    """`k/n (low–high%)` with Wilson's 95% interval, a dash when n is 0."""
    ci = proportion_interval(k, n)
    if ci is None:
        return DASH
    return f"{k}/{n} ({100 * ci[0]:.0f}{DASH}{100 * ci[1]:.0f}%)"


INTERVAL_NOTE = (
    "95% CI: a credible interval of the mean score from a hurdle model over seeds: the share of runs that "
    "score (Jeffreys' Beta(k+1/2, n-k+1/2); Mullahy 1986) times the mean of those that do (normal model with a "
    "conjugate variance prior worth one run, scaled to the largest variance the exam's checks allow at their "
    "Jeffreys-smoothed pass rates; Gelman et al., Bayesian Data Analysis 3rd ed. section 3.3). Compiles: "
    "Wilson's 95% interval (Wilson 1927). See scheduler/stats/intervals.py."
)


def exam_title(exam: str) -> str:
    """`v1` -> `Exam v1`."""
    return f"Exam {exam}"


def exam_tables(stats: Sequence[ModelExamStats], maxima: dict[str, float]) -> list[Table]:
    """Per exam, per model: Mean, Range, n, 95% CI, Compiles, Tok/s; sorted by mean, stable."""
    tables = []
    for exam in sorted({s.exam for s in stats}):
        rows_stats = [s for s in stats if s.exam == exam]
        rows_stats.sort(key=lambda s: -(s.scores.mean if s.scores.mean is not None else -1e9))
        rows = [
            [
                s.label,
                fmt_number(s.scores.mean),
                fmt_range(s),
                str(s.scores.n),
                fmt_ci(s),
                fmt_compiles(s.n_compiled, s.n_graded, s, with_interval=True),
                fmt_number(s.decode_tps),
            ]
            for s in rows_stats
        ]
        notes = [
            (
                "Mean, Range and the 95% CI are over runs the model is judged on; truncated, timed-out, server-error and grader-error runs are left out "
                "and counted under Outcomes. Compiles = built and passed at least one test, over all graded "
                "runs (a dash when no run was judged on its code). Tok/s = the server's decode rate, averaged."
            ),
            INTERVAL_NOTE,
        ]
        for s in rows_stats:
            left_out = s.n_graded - s.scores.n
            if left_out:
                notes.append(
                    f"{s.label}: {left_out} run(s) left out of the mean "
                    f"({_infra_text(s)}); counting them as scored gives {fmt_number(s.mean_all_runs)}."
                )
            if s.item_counts is not None and s.item_counts[0] < s.item_counts[1]:
                shown = ", ".join(s.infra_items[:MAX_LISTED]) + (
                    ", ..." if len(s.infra_items) > MAX_LISTED else ""
                )
                notes.append(
                    f"{s.label}: the mean rests on {s.item_counts[0]} of {s.item_counts[1]} items judged; each seed's "
                    f"score is its judged items' share of full marks; left out as infrastructure: {shown}."
                )
            if s.short_max:
                notes.append(
                    f"{s.label}: {s.short_max} grade(s) with a maximum below {fmt_score(maxima[exam])} "
                    "(the grader skipped checks)."
                )
        tables.append(
            Table(
                f"exam-{exam}",
                f"{exam_title(exam)} (/{fmt_score(maxima.get(exam))})",
                ["Model", "Mean", "Range", "n", "95% CI", "Compiles", "Tok/s"],
                rows,
                notes,
            )
        )
    return tables


MAX_LISTED = 8  # infra items named in a note before "..."


def _infra_text(s: ModelExamStats) -> str:
    return ", ".join(f"{s.verdicts[v]} {v}" for v in INFRA_VERDICTS if s.verdicts.get(v))


def quant_tables(stats: Sequence[ModelExamStats]) -> list[Table]:
    """Per family with several quants: Quant, Size, each exam's mean (range) and compiles."""
    exams = sorted({s.exam for s in stats})
    by_key = {(s.model, s.exam): s for s in stats}
    tables = []
    for family, models in quant_families(stats).items():
        columns = ["Quant", "Size"] + [exam_title(e) for e in exams] + [f"Compiles {e}" for e in exams]
        rows = []
        for model in models:
            some = next(s for s in stats if s.model == model)
            cells = [some.quant or some.label, fmt_size(some.size_gb)]
            for exam in exams:
                s = by_key.get((model, exam))
                cells.append(f"{fmt_number(s.scores.mean)} ({fmt_range(s)})" if s else DASH)
            for exam in exams:
                s = by_key.get((model, exam))
                cells.append(fmt_compiles(s.n_compiled, s.n_graded, s) if s else DASH)
            rows.append(cells)
        tables.append(Table(f"quant-{family}", f"Quantization: {family}", columns, rows))
    return tables


def paired_comparisons(
    stats: Sequence[ModelExamStats], margin: float = DEFAULT_MARGIN
) -> list[tuple[str, ModelExamStats, ModelExamStats, Comparison]]:
    """Quant against quant within each family and exam: (family, A, B, comparison of B with A)."""
    by_key = {(s.model, s.exam): s for s in stats}
    out = []
    for family, exam, a, b in quant_pairs(stats):
        sa, sb = by_key[(a, exam)], by_key[(b, exam)]
        marks = {n: max(sa.marks.get(n, 0.0), sb.marks.get(n, 0.0)) for n in {*sa.marks, *sb.marks}}
        if marks:
            c = compare(sa.runs, sb.runs, marks, margin=margin, items=sa.items and sb.items)
            out.append((family, sa, sb, c))
    return out


def verdict_text(sa: ModelExamStats, sb: ModelExamStats, c: Comparison) -> str:
    """What the seeds support about A and B, in one sentence."""
    a, b = sa.quant or sa.label, sb.quant or sb.label
    if c.verdict is Conclusion.B_BETTER:
        return f"{b} scores higher than {a}"
    if c.verdict is Conclusion.A_BETTER:
        return f"{a} scores higher than {b}"
    if c.verdict is Conclusion.EQUIVALENT:
        return f"{a} and {b} are equivalent within ±{c.margin:g} point(s)"
    if c.seeds_needed is None:
        return "no shared seeds"
    return (
        f"undecided; about {c.seeds_needed} shared seeds ({max(c.seeds_needed - c.seeds, 1)} more) "
        "would settle it"
    )


def _ci(low: float | None, high: float | None) -> str:
    return DASH if low is None or high is None else f"{low:+.1f} to {high:+.1f}"


def items_verdict_text(sa: ModelExamStats, sb: ModelExamStats, c: Comparison) -> str:
    """The verdict on tasks like these, with its interval; DASH for an exam that is not of items."""
    if c.items_verdict is None:
        return DASH
    same = replace(c, verdict=c.items_verdict, seeds_needed=None)
    text = verdict_text(sa, sb, same) if c.items_verdict is not Conclusion.UNDECIDED else "undecided"
    return f"{_ci(c.items_low, c.items_high)}: {text}"


def paired_tables(stats: Sequence[ModelExamStats], margin: float = DEFAULT_MARGIN) -> list[Table]:
    """Quant against quant within a family, over the seeds (and tasks) both scored, with a verdict
    under each estimand."""
    rows = []
    for family, sa, sb, c in paired_comparisons(stats, margin):
        ci = _ci(c.ci_low, c.ci_high)
        rows.append(
            [
                family,
                sa.exam,
                f"{sa.quant or sa.label} → {sb.quant or sb.label}",
                str(c.seeds),
                DASH if c.mean_diff is None else f"{c.mean_diff:+.1f}",
                ci,
                f"{c.b_only}/{c.a_only}",
                verdict_text(sa, sb, c),
                items_verdict_text(sa, sb, c),
            ]
        )
    if not rows:
        return []
    return [
        Table(
            "paired",
            "Quant comparisons, paired over the same seeds (and tasks)",
            [
                "Family",
                "Exam",
                "A → B",
                "Seeds",
                "Mean B−A",
                "95% CI",
                "Checks B only/A only",
                "Verdict on these tasks",
                "On tasks like these",
            ],
            rows,
            [
                (
                    "95% CI: the interval of B−A from the per-seed differences over the shared seeds, on these "
                    "tasks (only the seeds are a sample; for an exam of items, over the items both judged in each "
                    "seed, on the whole exam's scale). On tasks like these (exams of items): the paired, "
                    "task-clustered interval and verdict, the tasks too taken as a sample (Miller 2024). "
                    "Checks B only/A only: (seed, check) pairs only B passed / only A passed. Verdict: equivalent "
                    f"when the 90% interval lies within ±{margin:g} point(s) (two one-sided tests, Schuirmann 1987); "
                    "better when the 95% interval excludes 0; otherwise undecided, with the shared seeds that would "
                    "settle it at 80% power (normal approximation from the posterior's spread; Chow, Shao & Wang "
                    "2008, sections 3.2.1 and 3.2.3). See scheduler/stats/comparisons.py."
                )
            ],
        )
    ]


def pareto_tables(stats: Sequence[ModelExamStats]) -> list[Table]:
    """Per exam: the models no other model beats on both mean score and decode speed, and on both
    mean score and GGUF size (smaller is better)."""
    tables = []
    for exam in sorted({s.exam for s in stats}):
        scored = [s for s in stats if s.exam == exam and s.scores.mean is not None]
        rows = []
        left_out = []
        for axis in PARETO_AXES:
            present, front = pareto_models(scored, axis)
            if missing := [s.label for s in scored if s not in present]:
                left_out.append(f"Left out of score and {axis} (none known): {', '.join(missing)}.")
            for s in front:
                rows.append(
                    [
                        f"score and {axis}",
                        s.label,
                        fmt_number(s.scores.mean),
                        fmt_ci(s),
                        fmt_number(s.decode_tps),
                        fmt_size(s.size_gb),
                    ]
                )
        if rows:
            tables.append(
                Table(
                    f"pareto-{exam}",
                    f"{exam_title(exam)}: the Pareto frontier",
                    ["Frontier", "Model", "Mean", "95% CI", "Tok/s", "Size"],
                    rows,
                    [
                        (
                            "A model is on a frontier when no other model has both a higher (or equal) mean "
                            "score and a higher decode rate (or a smaller file), better in one of them. Means "
                            "are point estimates: see the 95% CI before reading much into a close call."
                        ),
                        *left_out,
                    ],
                )
            )
    return tables


def fmt_size(size_gb: float | None) -> str:
    """A GGUF file's size as `17.9 GB`; a dash when unknown."""
    return f"{size_gb:g} GB" if size_gb else DASH


def outcome_table(stats: Sequence[ModelExamStats]) -> Table:
    """Every run by verdict; infra and grader outcomes apart; compile rate with and without truncated runs."""
    columns = [
        "Model",
        "Exam",
        "Jobs",
        *ALL_VERDICTS,
        NOT_GRADED,
        "Compiles",
        "Compiles (no truncated)",
        "Compiles (model verdicts)",
    ]
    rows = [
        [
            s.label,
            s.exam,
            str(s.n_jobs),
            *[str(s.verdicts.get(v, 0)) for v in (*ALL_VERDICTS, NOT_GRADED)],
            fmt_compiles(s.n_compiled, s.n_graded, s),
            fmt_compiles(s.n_compiled_not_truncated, s.n_graded_not_truncated, s),
            fmt_ratio(s.n_compiled_model_verdicts, s.n_model_verdicts),
        ]
        for s in stats
    ]
    notes = [
        (
            "ok, test_fail, compile_fail and extract_fail judge the model; truncated, gen_timeout, "
            "server_error and grader_error are infrastructure or grader outcomes and never count "
            "against a model."
        )
    ]
    from_reasoning = [f"{s.label} {s.exam}: {s.from_reasoning}" for s in stats if s.from_reasoning]
    if from_reasoning:
        notes.append(
            "Graded from reasoning_content (answer_source=reasoning: the server sent no content for a "
            "model run with reasoning off): " + "; ".join(from_reasoning) + "."
        )
    return Table("outcomes", "Outcomes by verdict", columns, rows, notes)


def check_tables(stats: Sequence[ModelExamStats]) -> list[Table]:
    """Per exam: tests x models pass rates over compiled runs; a test no model passes stands out."""
    tables = []
    for exam in sorted({s.exam for s in stats}):
        rows_stats = [s for s in stats if s.exam == exam and s.checks]
        names = sorted({n for s in rows_stats for n in s.checks}, key=check_order)
        if not names:
            continue
        rows = []
        never = []
        for name in names:
            cells = [fmt_ratio(*s.checks[name]) if name in s.checks else DASH for s in rows_stats]
            passed = sum(s.checks[name][0] for s in rows_stats if name in s.checks)
            present = sum(s.checks[name][1] for s in rows_stats if name in s.checks)
            rows.append([name, *cells, fmt_ratio(passed, present)])
            if present and not passed:
                never.append(name)
        notes = (
            [f"No model passed {', '.join(never)}: look at the grader before blaming the models."]
            if never
            else []
        )
        tables.append(
            Table(
                f"checks-{exam}",
                f"{exam_title(exam)}: pass rate per test (compiled runs)",
                ["Test", *[s.label for s in rows_stats], "All"],
                rows,
                notes,
            )
        )
    return tables


def check_order(name: str) -> tuple[int, str]:
    """Sort key: v2 tests in the article's order, anything else after, by name."""
    order = list(V2_TESTS)
    return (order.index(name), name) if name in order else (len(order), name)


def speed_table(stats: Sequence[ModelExamStats]) -> Table:
    """Prompt and decode rates as the server measured them, with tokens and wall time."""
    rows = [
        [
            s.label,
            s.exam,
            fmt_number(s.prompt_tps),
            fmt_number(s.decode_tps),
            fmt_draft(s.draft_tokens),
            fmt_number(s.completion_tokens, 0),
            fmt_number(s.wall_s, 0),
        ]
        for s in stats
    ]
    notes = [
        (
            "Decode tok/s: the model's single-stream speed (see Single-stream speed for how and under "
            "which conditions it was measured); Prompt tok/s, tokens and wall time: means over generations."
        ),
        (
            "Draft accepted = draft tokens the model accepted / tokens the draft model proposed "
            "(llama-server timings draft_n_accepted / draft_n), for models run with a draft model."
        ),
    ]
    return Table(
        "speed",
        "Speed (server timings)",
        ["Model", "Exam", "Prompt tok/s", "Decode tok/s", "Draft accepted", "Completion tokens", "Wall s"],
        rows,
        notes,
    )


def fmt_draft(tokens: tuple[int, int] | None) -> str:
    """Draft acceptance as `71% (1234/1738)`, a dash without speculative decoding."""
    if tokens is None:
        return DASH
    accepted, drafted = tokens
    return f"{100 * accepted / drafted:.0f}% ({accepted}/{drafted})"
