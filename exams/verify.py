"""The qualification gate: grade every reference and known-bad case N times and compare.

A case fails when its score, verdict or any check's pass/fail differs from what
the case expects, or when repeats of the same case disagree (flakiness).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from exams.registry import QualificationCase, get_exam
from exams.types import Grade


@dataclass
class CaseResult:
    """All repeats of one qualification case."""

    exam: str
    case: QualificationCase
    grades: list[Grade] = field(default_factory=list)

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
        return found

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
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
