"""The report's tables of repair turns (`scheduler.reports.turns` computes the figures) and the HTML
section listing each job's turns."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from scheduler.reports.tables import Table, verdict_text
from scheduler.reports.turns import (
    DASH,
    Conversation,
    TurnFigures,
    grader_versions,
    turn_comparisons,
    turn_figures,
)
from scheduler.stats.comparisons import DEFAULT_MARGIN
from scheduler.stats.intervals import proportion_interval

ANSWER_CHARS = 6000  # an answer longer than this is cut in the HTML (the export holds it whole)


def _rate(passed: int, judged: int) -> str:
    ci = proportion_interval(passed, judged)
    if ci is None:
        return DASH
    return f"{100 * passed / judged:.0f}% ({100 * ci[0]:.0f} to {100 * ci[1]:.0f})"


def _share(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.0f}%"


def _per_solved(total: float, f: TurnFigures, unit: str) -> str:
    return DASH if not f.solved else f"{total / f.solved:,.0f}{unit}"


def turn_tables(conversations: Sequence[Conversation], margin: float = DEFAULT_MARGIN) -> list[Table]:
    """The per-turn table and the paired quant comparisons after turn 1 and the last turn; none
    for a sweep without repair turns."""
    figures = turn_figures(conversations)
    if not figures:
        return []
    rows = [
        [
            f.label,
            f.exam,
            str(f.jobs),
            _rate(f.passed[0], f.judged[0]),
            _rate(f.passed[1], f.judged[1]),
            _share(f.mean_score[0]),
            _share(f.mean_score[1]),
            str(f.fixed),
            str(f.regressed),
            str(f.ended_infra),
            _per_solved(f.tokens, f, ""),
            _per_solved(f.seconds, f, " s"),
        ]
        for f in figures
    ]
    last = max(f.last_turn for f in figures)
    versions = grader_versions(conversations)
    mixed = (
        [
            (
                f"Grades by {len(versions)} grader versions ({', '.join(versions)}): turns graded by "
                "different graders are compared; `scheduler regrade --sweep NAME` grades every turn with "
                "the current ones."
            )
        ]
        if len(versions) > 1
        else []
    )
    tables = [
        Table(
            "turns",
            "Repair turns: results after the first and the last turn",
            [
                "Model",
                "Exam",
                "Jobs",
                "Pass after turn 1 (95% CI)",
                f"Pass after turn {last} (95% CI)",
                "Mean score, turn 1",
                f"Mean score, turn {last}",
                "Tests fixed",
                "Tests regressed",
                "Ended truncated/infra",
                "Tokens per solved",
                "Seconds per solved",
            ],
            rows,
            [
                (
                    "Pass: the share of jobs (task x seed) passing every test after that turn (Aider's pass_rate_1 "
                    "and pass_rate_2), with Wilson's 95% interval; a job that passed earlier keeps its pass. Mean "
                    "score: the share of the exam's full marks. Tests fixed / regressed: tests that failed on one "
                    "turn and passed on the next / passed and then failed, over consecutive turns both graded. "
                    "Ended truncated/infra: conversations whose last turn was cut short or an infrastructure "
                    "outcome, left out of the rates from that turn on. Tokens and seconds (generation plus "
                    "grading) of every turn, per job passing after the last turn. See scheduler/reports/turns.py."
                ),
                *mixed,
            ],
        )
    ]
    paired = [
        [
            family,
            exam,
            f"{a.quant or a.label} → {b.quant or b.label}",
            str(turn),
            str(c.seeds),
            DASH if c.mean_diff is None else f"{c.mean_diff:+.1f}",
            DASH if c.ci_low is None or c.ci_high is None else f"{c.ci_low:+.1f} to {c.ci_high:+.1f}",
            verdict_text(a, b, c),  # type: ignore[arg-type]
        ]
        for family, exam, turn, a, b, c in turn_comparisons(conversations, margin)
    ]
    if paired:
        tables.append(
            Table(
                "turns-paired",
                "Repair turns: quant comparisons of tasks passed, paired over the same seeds and tasks",
                ["Family", "Exam", "A → B", "After turn", "Seeds", "Mean B−A", "95% CI", "Verdict"],
                paired,
                [
                    (
                        "Mean B−A: tasks passed per seed, B minus A, after that turn; the interval and verdict are the "
                        "paired comparison of the quant table (scheduler/stats/comparisons.py), each task a check "
                        "worth 1 point."
                    )
                ],
            )
        )
    return tables


def conversations_html(conversations: Sequence[Conversation]) -> list[str]:
    """Per job, each turn's answer, the feedback it was sent and its checks, as <details> blocks."""
    if not conversations:
        return []
    parts = ['<h2 id="conversations">Repair turns, job by job</h2>']
    for conv in sorted(conversations, key=lambda c: (c.model, c.exam, c.seed)):
        summary = " → ".join(t.verdict or t.outcome for t in conv.turns)
        parts.append(
            f"<details><summary>{escape(conv.label)} · {escape(conv.exam)} · seed {conv.seed}: "
            f"{escape(summary)}</summary>"
        )
        for t in conv.turns:
            failing = [n for n, ok in t.passed_checks().items() if not ok]
            checks = f"{len(t.checks) - len(failing)}/{len(t.checks)} checks passed"
            if failing:
                checks += "; failing: " + ", ".join(failing)
            answer = t.answer if len(t.answer) <= ANSWER_CHARS else t.answer[:ANSWER_CHARS] + "\n… (cut)"
            parts.append(
                f"<h4>Turn {t.turn}: {escape(t.verdict or t.outcome)}"
                f"{'' if t.score is None else f', score {t.score:g}'}</h4>"
                f"<p>{escape(checks)}</p><pre>{escape(answer)}</pre>"
            )
            if t.feedback:
                parts.append(f"<p>Feedback sent for turn {t.turn + 1}:</p><pre>{escape(t.feedback)}</pre>")
        parts.append("</details>")
    return parts
