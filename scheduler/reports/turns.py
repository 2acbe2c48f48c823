"""Reports of repair turns: how each model's results change from its first turn to its last.

For the jobs of a sweep with `turns` above 1 (exams.feedback), per model and exam (an exam of items,
such as go-tasks, as one exam over its tasks):

- pass rate after turn 1 and after the last turn (Aider's `pass_rate_1` / `pass_rate_2`), each with
  Wilson's 95% interval over the jobs judged; mean score (share of the exam's full marks) likewise;
- tests fixed (failed on one turn, passed on the next) and tests **regressed** (passed on one turn,
  failed on the next), summed over every pair of consecutive turns both judged;
- completion tokens and seconds (generation wall time plus grading) of every turn, per task solved
  after the last turn;
- conversations that ended on a truncated or infrastructure turn, apart (never counted as a
  model's wrong answer: such a job is left out of the rates after that turn).

A job's result "after turn t" is its latest turn up to t: a job that passed on turn 1 has its turn-1
result after every later turn. Quants of a family are compared on the pass rate after turn 1 and
after the last turn, paired over the seeds (and tasks) both judged, with the report's paired
statistics (`scheduler.stats.comparisons.compare`: each task a check worth 1 point, passed or not).
The HTML report lists each job's turns: its answer, the feedback it was sent, its checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from exams.types import MODEL_VERDICTS, Verdict
from scheduler.db.turns import turn_results
from scheduler.stats.comparisons import DEFAULT_MARGIN, Comparison, compare
from scheduler.stats.intervals import RunPoints, proportion_interval

DASH = "—"


@dataclass(frozen=True)
class Turn:
    """One turn of a job: its latest generation and that generation's grade."""

    turn: int
    outcome: str
    verdict: str | None
    score: float | None
    max_score: float | None
    checks: tuple[Mapping[str, Any], ...]
    feedback: str | None
    answer: str
    completion_tokens: int | None
    seconds: float
    grader_version: str | None = None  # of the grade used (None: not graded)

    @property
    def judged(self) -> bool:
        """A verdict on the model's answer (not an infrastructure one, not ungraded)."""
        return self.verdict is not None and Verdict(self.verdict) in MODEL_VERDICTS

    def passed_checks(self) -> dict[str, bool]:
        return {str(c.get("name")): bool(c.get("passed")) for c in self.checks}


@dataclass
class Conversation:
    """One job's turns, in order."""

    job_id: int
    model: str
    label: str
    family: str
    quant: str | None
    exam: str
    seed: int
    budget: int
    turns: list[Turn] = field(default_factory=list)

    @property
    def suite(self) -> str:
        """The exam it counts under (an item's exam: `go-tasks` for `go-tasks/lru`)."""
        return self.exam.split("/", 1)[0]

    def after(self, turn: int) -> Turn | None:
        """Its result after `turn`: the latest turn up to it, None before any."""
        done = [t for t in self.turns if t.turn <= turn]
        return done[-1] if done else None

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "model": self.model,
            "exam": self.exam,
            "seed": self.seed,
            "turns": [
                {
                    "turn": t.turn,
                    "outcome": t.outcome,
                    "verdict": t.verdict,
                    "score": t.score,
                    "failing": [n for n, ok in t.passed_checks().items() if not ok],
                    "feedback": t.feedback,
                    "completion_tokens": t.completion_tokens,
                    "seconds": round(t.seconds, 3),
                }
                for t in self.turns
            ],
        }


def load_conversations(conn: Any, sweep: str) -> list[Conversation]:
    """The conversations of the sweep's jobs that have more than one turn allowed."""
    by_job: dict[int, Conversation] = {}
    for row in turn_results(conn, sweep):
        if int(row["turns"]) <= 1:
            continue
        conv = by_job.get(row["job_id"])
        if conv is None:
            conv = by_job[row["job_id"]] = Conversation(
                int(row["job_id"]),
                row["model"],
                row["label"],
                row["family"],
                row["quant"],
                row["exam"],
                int(row["seed"]),
                int(row["turns"]),
            )
        answer = row["reasoning_text"] if row["answer_source"] == "reasoning" else row["response_text"]
        conv.turns.append(
            Turn(
                int(row["turn"]),
                row["outcome"],
                row["verdict"],
                row["score"],
                row["max_score"],
                tuple(row["checks"] or ()),
                row["feedback"],
                answer or "",
                row["completion_tokens"],
                float(row["wall_s"] or 0.0) + float(row["duration_s"] or 0.0),
                row["grader_version"],
            )
        )
    return list(by_job.values())


@dataclass(frozen=True)
class TurnFigures:
    """One model's per-turn figures on one exam."""

    model: str
    label: str
    family: str
    quant: str | None
    exam: str
    jobs: int
    last_turn: int
    passed: tuple[int, int]  # jobs passed after turn 1, after the last turn
    judged: tuple[int, int]  # jobs judged after turn 1, after the last turn
    mean_score: tuple[float | None, float | None]  # share of full marks, after turn 1 and the last
    fixed: int
    regressed: int
    ended_infra: int  # conversations whose last turn is truncated or an infrastructure verdict
    tokens: int
    seconds: float

    @property
    def solved(self) -> int:
        return self.passed[1]

    def rate(self, which: int) -> float | None:
        return self.passed[which] / self.judged[which] if self.judged[which] else None

    def to_json(self) -> dict[str, Any]:
        intervals = [proportion_interval(p, n) for p, n in zip(self.passed, self.judged, strict=True)]
        return {
            "model": self.model,
            "exam": self.exam,
            "jobs": self.jobs,
            "last_turn": self.last_turn,
            "pass_rate_1": self.rate(0),
            "pass_rate_last": self.rate(1),
            "pass_rate_1_ci": intervals[0],
            "pass_rate_last_ci": intervals[1],
            "mean_score_1": self.mean_score[0],
            "mean_score_last": self.mean_score[1],
            "tests_fixed": self.fixed,
            "tests_regressed": self.regressed,
            "ended_infra": self.ended_infra,
            "tokens_per_solved": self.tokens / self.solved if self.solved else None,
            "seconds_per_solved": self.seconds / self.solved if self.solved else None,
        }


def grader_versions(conversations: Sequence[Conversation]) -> list[str]:
    """The grader versions of the grades the figures use, sorted: more than one means turns (or
    jobs) graded by different graders are compared, until `scheduler regrade` grades them all."""
    return sorted({t.grader_version for c in conversations for t in c.turns if t.grader_version})


def _changes(conv: Conversation) -> tuple[int, int]:
    """(tests fixed, tests regressed) between consecutive turns both judged."""
    fixed = regressed = 0
    for before, after in zip(conv.turns, conv.turns[1:], strict=False):
        if not (before.judged and after.judged):
            continue
        a, b = before.passed_checks(), after.passed_checks()
        fixed += sum(1 for n, ok in b.items() if ok and a.get(n) is False)
        regressed += sum(1 for n, ok in b.items() if not ok and a.get(n) is True)
    return fixed, regressed


def turn_figures(conversations: Sequence[Conversation]) -> list[TurnFigures]:
    """Per (model, exam) figures, in model then exam order."""
    groups: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for conv in conversations:
        groups[(conv.model, conv.suite)].append(conv)
    out = []
    for (model, exam), convs in sorted(groups.items()):
        last = max(c.budget for c in convs)
        passed, judged, means = [], [], []
        for turn in (1, last):
            results = [r for c in convs if (r := c.after(turn)) is not None and r.judged]
            passed.append(sum(1 for r in results if r.verdict == Verdict.OK))
            judged.append(len(results))
            shares = [float(r.score or 0.0) / float(r.max_score or 1.0) for r in results]
            means.append(sum(shares) / len(shares) if shares else None)
        changes = [_changes(c) for c in convs]
        first = convs[0]
        out.append(
            TurnFigures(
                model,
                first.label,
                first.family,
                first.quant,
                exam,
                len(convs),
                last,
                (passed[0], passed[1]),
                (judged[0], judged[1]),
                (means[0], means[1]),
                sum(f for f, _ in changes),
                sum(r for _, r in changes),
                sum(1 for c in convs if c.turns and not c.turns[-1].judged),
                sum(t.completion_tokens or 0 for c in convs for t in c.turns),
                sum(t.seconds for c in convs for t in c.turns),
            )
        )
    return out


def pass_runs(conversations: Sequence[Conversation], turn: int) -> list[RunPoints]:
    """Per seed, each task's pass (1) or not (0) after `turn`, with the tasks judged (for `compare`)."""
    by_seed: dict[int, dict[str, float]] = defaultdict(dict)
    judged: dict[int, set[str]] = defaultdict(set)
    tasks = {c.exam for c in conversations}
    for conv in conversations:
        result = conv.after(turn)
        by_seed[conv.seed][conv.exam] = 1.0 if result is not None and result.verdict == Verdict.OK else 0.0
        if result is not None and result.judged:
            judged[conv.seed].add(conv.exam)
    return [
        RunPoints(seed, points, None if judged[seed] == tasks else frozenset(judged[seed]))
        for seed, points in sorted(by_seed.items())
    ]


def turn_comparisons(
    conversations: Sequence[Conversation], margin: float = DEFAULT_MARGIN
) -> list[tuple[str, str, int, TurnFigures, TurnFigures, Comparison]]:
    """Quant against quant within a family and exam, on the pass count after turn 1 and after the
    last turn: (family, exam, turn, A, B, comparison of B with A)."""
    figures = {(f.model, f.exam): f for f in turn_figures(conversations)}
    groups: dict[tuple[str, str], dict[str, list[Conversation]]] = defaultdict(lambda: defaultdict(list))
    for conv in conversations:
        groups[(conv.family, conv.suite)][conv.model].append(conv)
    out = []
    for (family, exam), by_model in sorted(groups.items()):
        for a, b in combinations(sorted(by_model), 2):
            fa, fb = figures[(a, exam)], figures[(b, exam)]
            marks = dict.fromkeys({c.exam for c in (*by_model[a], *by_model[b])}, 1.0)
            for turn in sorted({1, fa.last_turn}):
                c = compare(
                    pass_runs(by_model[a], turn),
                    pass_runs(by_model[b], turn),
                    marks,
                    margin=margin,
                    items=len(marks) > 1,
                )
                out.append((family, exam, turn, fa, fb, c))
    return out
