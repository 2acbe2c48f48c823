"""The report's tables, as plain rows of text: the article's tables first, then what it lacked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from scheduler.reports.runs import ALL_VERDICTS, INFRA_VERDICTS, NOT_GRADED
from scheduler.reports.stats import compare_paired
from scheduler.reports.summary import ModelExamStats

DASH = "–"


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
        return {"id": self.id, "title": self.title, "columns": self.columns, "rows": self.rows,
                "notes": self.notes}


def fmt_number(value: float | None, digits: int = 1) -> str:
    """A number with fixed decimals, a dash when missing."""
    return DASH if value is None else f"{value:.{digits}f}"


def fmt_score(value: float | None) -> str:
    """A raw score: whole numbers without decimals."""
    if value is None:
        return DASH
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


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


def fmt_ratio(k: int, n: int) -> str:
    """`k/n`, a dash when n is 0."""
    return f"{k}/{n}" if n else DASH


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
            [s.label, fmt_number(s.scores.mean), fmt_range(s), str(s.scores.n), fmt_ci(s),
             fmt_ratio(s.compiled, s.n_graded), fmt_number(s.decode_tps)]
            for s in rows_stats
        ]
        notes = [("Mean, Range and the 95% interval (Student t, n-1 degrees of freedom) are over runs the "
                 "model is judged on; truncated, timed-out, server-error and grader-error runs are left out "
                 "and counted under Outcomes. Compiles = built and passed at least one test, over all graded "
                 "runs. Tok/s = the server's decode rate, averaged.")]
        for s in rows_stats:
            left_out = s.n_graded - s.scores.n
            if left_out:
                notes.append(f"{s.label}: {left_out} run(s) left out of the mean "
                             f"({_infra_text(s)}); counting them as scored gives {fmt_number(s.mean_all_runs)}.")
            if s.short_max:
                notes.append(f"{s.label}: {s.short_max} grade(s) with a maximum below {fmt_score(maxima[exam])} "
                             "(the grader skipped checks).")
        tables.append(Table(f"exam-{exam}", f"{exam_title(exam)} (/{fmt_score(maxima.get(exam))})",
                            ["Model", "Mean", "Range", "n", "95% CI", "Compiles", "Tok/s"], rows, notes))
    return tables


def _infra_text(s: ModelExamStats) -> str:
    return ", ".join(f"{s.verdicts[v]} {v}" for v in INFRA_VERDICTS if s.verdicts.get(v))


def families_with_quants(stats: Sequence[ModelExamStats]) -> dict[str, list[str]]:
    """Families that have more than one model in the sweep, with their models in order."""
    families: dict[str, list[str]] = {}
    for s in stats:
        models = families.setdefault(s.family, [])
        if s.model not in models:
            models.append(s.model)
    return {f: ms for f, ms in families.items() if len(ms) > 1}


def quant_tables(stats: Sequence[ModelExamStats]) -> list[Table]:
    """Per family with several quants: Quant, Size, each exam's mean (range) and compiles."""
    exams = sorted({s.exam for s in stats})
    by_key = {(s.model, s.exam): s for s in stats}
    tables = []
    for family, models in families_with_quants(stats).items():
        columns = ["Quant", "Size"] + [exam_title(e) for e in exams] + [f"Compiles {e}" for e in exams]
        rows = []
        for model in models:
            some = next(s for s in stats if s.model == model)
            cells = [some.quant or some.label, f"{some.size_gb:g} GB" if some.size_gb else DASH]
            for exam in exams:
                s = by_key.get((model, exam))
                cells.append(f"{fmt_number(s.scores.mean)} ({fmt_range(s)})" if s else DASH)
            for exam in exams:
                s = by_key.get((model, exam))
                cells.append(fmt_ratio(s.compiled, s.n_graded) if s else DASH)
            rows.append(cells)
        tables.append(Table(f"quant-{family}", f"Quantization: {family}", columns, rows))
    return tables


def paired_tables(stats: Sequence[ModelExamStats]) -> list[Table]:
    """Quant against quant within a family, over the seeds both scored (paired differences)."""
    by_key = {(s.model, s.exam): s for s in stats}
    rows = []
    for family, models in families_with_quants(stats).items():
        for exam in sorted({s.exam for s in stats}):
            for a, b in combinations(models, 2):
                sa, sb = by_key.get((a, exam)), by_key.get((b, exam))
                if sa is None or sb is None:
                    continue
                cmp = compare_paired(sa.scores_by_seed, sb.scores_by_seed)
                ci = DASH if cmp.ci_low is None else f"{cmp.ci_low:+.1f} to {cmp.ci_high:+.1f}"
                rows.append([family, exam, f"{sa.quant or sa.label} → {sb.quant or sb.label}", str(cmp.n),
                             DASH if cmp.mean_diff is None else f"{cmp.mean_diff:+.1f}", ci,
                             f"{cmp.wins}/{cmp.ties}/{cmp.losses}"])
    if not rows:
        return []
    return [Table("paired", "Quant comparisons, paired over the same seeds",
                  ["Family", "Exam", "A → B", "Seeds", "Mean B−A", "95% CI", "B better/tie/worse"], rows,
                  ["An interval that contains 0 means the seeds do not show a difference."])]


def outcome_table(stats: Sequence[ModelExamStats]) -> Table:
    """Every run by verdict; infra and grader outcomes apart; compile rate with and without truncated runs."""
    columns = ["Model", "Exam", "Jobs", *ALL_VERDICTS, NOT_GRADED, "Compiles", "Compiles (no truncated)",
               "Compiles (model verdicts)"]
    rows = [
        [s.label, s.exam, str(s.n_jobs), *[str(s.verdicts.get(v, 0)) for v in (*ALL_VERDICTS, NOT_GRADED)],
         fmt_ratio(s.compiled, s.n_graded), fmt_ratio(s.compiled_not_truncated, s.n_graded_not_truncated),
         fmt_ratio(s.compiled_model_verdicts, s.n_model_verdicts)]
        for s in stats
    ]
    notes = [("ok, test_fail, compile_fail and extract_fail judge the model; truncated, gen_timeout, "
              "server_error and grader_error are infrastructure or grader outcomes and never count "
              "against a model.")]
    from_reasoning = [f"{s.label} {s.exam}: {s.from_reasoning}" for s in stats if s.from_reasoning]
    if from_reasoning:
        notes.append("Graded from reasoning_content (answer_source=reasoning: the server sent no content for a "
                     "model run with reasoning off): " + "; ".join(from_reasoning) + ".")
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
        notes = [f"No model passed {', '.join(never)}: look at the grader before blaming the models."] if never else []
        tables.append(Table(f"checks-{exam}", f"{exam_title(exam)}: pass rate per test (compiled runs)",
                            ["Test", *[s.label for s in rows_stats], "All"], rows, notes))
    return tables


def check_order(name: str) -> tuple[int, str]:
    """Sort key: v2 tests in the article's order, anything else after, by name."""
    order = ["OnlineFlow", "BuffersDuringOutage", "FlushOnReconnect", "BufferBounded", "EvictionRandom",
             "MultipleOutageCycles", "BufferSizeZero", "BufferSizeOne", "GracefulShutdown", "RaceDetector"]
    return (order.index(name), name) if name in order else (len(order), name)


def speed_table(stats: Sequence[ModelExamStats]) -> Table:
    """Prompt and decode rates as the server measured them, with tokens and wall time."""
    rows = [[s.label, s.exam, fmt_number(s.prompt_tps), fmt_number(s.decode_tps), fmt_draft(s.draft_tokens),
             fmt_number(s.completion_tokens, 0), fmt_number(s.wall_s, 0)] for s in stats]
    notes = [("Draft accepted = draft tokens the model accepted / tokens the draft model proposed "
              "(llama-server timings draft_n_accepted / draft_n), for models run with a draft model.")]
    return Table("speed", "Speed (server timings)",
                 ["Model", "Exam", "Prompt tok/s", "Decode tok/s", "Draft accepted", "Completion tokens", "Wall s"],
                 rows, notes)


def fmt_draft(tokens: tuple[int, int] | None) -> str:
    """Draft acceptance as `71% (1234/1738)`, a dash without speculative decoding."""
    if tokens is None:
        return DASH
    accepted, drafted = tokens
    return f"{100 * accepted / drafted:.0f}% ({accepted}/{drafted})"
