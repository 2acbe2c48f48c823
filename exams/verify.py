"""The qualification gate: grade every reference and known-bad case N times and compare.

A case fails when its score, verdict or any check's pass/fail differs from what
the case expects, or when repeats of the same case disagree (flakiness). For an exam that allows
repair turns (its manifest's `turns` above 1), a known-bad case also fails when the feedback its
grade writes does not name the tests it fails or shows the hidden tests beyond what `go test`
printed (exams.feedback.feedback_problems).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from exams.feedback import allowed_turns, feedback_message, feedback_problems
from exams.registry import QualificationCase, get_exam
from exams.types import Grade, Verdict


@dataclass
class CaseResult:
    """All repeats of one qualification case."""

    exam: str
    case: QualificationCase
    grades: list[Grade] = field(default_factory=list)
    feedback_problems: list[str] = field(default_factory=list)  # repair-turn feedback (first repeat)

    @property
    def problems(self) -> list[str]:
        """Why this case fails the gate (empty when it passes)."""
        found: list[str] = []
        for i, grade in enumerate(self.grades, 1):
            bound = self.case.max_expected_score
            if bound is not None and grade.score > bound:
                found.append(f"repeat {i}: score {grade.score:g}, expected at most {bound:g}")
            elif bound is None and grade.score != self.case.expected_score:
                found.append(f"repeat {i}: score {grade.score:g}, expected {self.case.expected_score:g}")
            allowed = self.case.allowed_verdicts or (self.case.expected_verdict,)
            if grade.verdict not in allowed:
                found.append(
                    f"repeat {i}: verdict {grade.verdict.value}, expected {' or '.join(v.value for v in allowed)}"
                )
            got = {c.name: c.passed for c in grade.checks}
            for name, passed in self.case.expected_checks.items():
                if got.get(name, False) != passed:
                    found.append(f"repeat {i}: check {name} passed={got.get(name)}, expected {passed}")
        outcomes = {
            (g.score, g.verdict, tuple((c.name, c.passed, c.points) for c in g.checks)) for g in self.grades
        }
        if len(outcomes) > 1 and self.case.max_expected_score is None:
            found.append(f"outcome flipped between repeats ({len(outcomes)} distinct results)")
        return found + self.feedback_problems

    @property
    def passed(self) -> bool:
        """Every repeat matched the expectation and each other."""
        return not self.problems


def verify_exam(
    exam: str, repeat: int = 1, on_result: Callable[[CaseResult], None] | None = None
) -> list[CaseResult]:
    """Grade every qualification case of `exam` `repeat` times."""
    from exams import grade

    spec = get_exam(exam)
    results = []
    for case in spec.qualification_cases():
        result = CaseResult(exam, case)
        for _ in range(repeat):
            result.grades.append(grade(exam, case.response_text))
        if allowed_turns(exam) > 1:
            result.feedback_problems = _feedback_problems(spec, case, result.grades[0])
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _feedback_problems(spec: object, case: QualificationCase, graded: Grade) -> list[str]:
    """A known-bad case's feedback checked (a case expected to pass everything writes none)."""
    if case.expected_verdict not in (Verdict.TEST_FAIL, Verdict.COMPILE_FAIL) or graded.verdict not in (
        Verdict.TEST_FAIL,
        Verdict.COMPILE_FAIL,
    ):
        return []
    files = tuple(getattr(spec, "expected_files", ()))
    hidden = getattr(spec, "hidden_source", None)
    failing = [name for name, passed in case.expected_checks.items() if not passed]
    message = feedback_message(graded, files)
    return feedback_problems(message, graded, failing, hidden() if callable(hidden) else "")
