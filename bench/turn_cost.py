"""What a second repair turn adds to a sweep, measured on go-tasks' known-bad solutions.

A job whose first answer fails gets a second turn: one more generation, whose prompt is the first
prompt plus the first answer plus the feedback (exams/feedback.py), and one more grade. For each
known-bad solution of the tasks (a realistic failing first answer) this grades it for real, writes
its feedback, and compares, side by side in one run:

- the second turn's prompt size to the first's (characters; tokens are about characters / 4 on Go
  code and English prose for llama.cpp's tokenizers),
- the feedback's size to the answer's,
- the second turn's grading time to the first's (the same grader on the next answer: here the
  reference solution, the answer a repaired turn would give).

A sweep's added generation is then the share of jobs failing turn 1 times one more answer's
completion tokens, plus that prompt growth at the server's prompt rate (far faster than decoding).

Run: ``python -m bench.turn_cost [--exam go-tasks:demo]`` (default: every task of go-tasks); figures in
bench/turn_cost.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

import exams
from exams.feedback import feedback_message
from exams.registry import exam_prompt, job_exams
from exams.types import PromptStyle, Verdict


def measure(exam_entry: str) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {
        "prompt_growth": [],
        "feedback_to_answer": [],
        "grade_ratio": [],
        "feedback_chars": [],
    }
    for item in job_exams(exam_entry):
        spec = exams.get_exam(item)
        prompt = exam_prompt(item, PromptStyle.CHAT).text
        cases = spec.qualification_cases()
        reference = cases[0].response_text
        for case in cases:
            if case.expected_verdict not in (Verdict.TEST_FAIL, Verdict.COMPILE_FAIL) or case.name.startswith(
                "hostile:"
            ):
                continue
            started = time.monotonic()
            first = exams.grade(item, case.response_text)
            first_s = time.monotonic() - started
            started = time.monotonic()
            exams.grade(item, reference)
            second_s = time.monotonic() - started
            feedback = feedback_message(first, spec.expected_files) or ""
            figures["prompt_growth"].append(
                (len(prompt) + len(case.response_text) + len(feedback)) / len(prompt)
            )
            figures["feedback_to_answer"].append(len(feedback) / len(case.response_text))
            figures["grade_ratio"].append(second_s / first_s)
            figures["feedback_chars"].append(len(feedback))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.turn_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--exam", default="go-tasks", help="an exam, item or set of a gotest exam")
    args = parser.parse_args()
    figures = measure(args.exam)
    n = len(figures["prompt_growth"])
    print(f"{args.exam}: {n} known-bad first answers")
    for key, label in (
        ("prompt_growth", "turn-2 prompt / turn-1 prompt (chars)"),
        ("feedback_to_answer", "feedback / first answer (chars)"),
        ("grade_ratio", "turn-2 grade time / turn-1 grade time"),
        ("feedback_chars", "feedback length (chars)"),
    ):
        values = figures[key]
        print(f"  {label}: median {statistics.median(values):.2f}, max {max(values):.2f}")


if __name__ == "__main__":
    main()
