"""Repair-turn feedback: the message an exam writes from a grade, sent to the model with another try.

    allowed_turns("go-tasks/lru") -> 3          the manifest's `turns` (1 when it has none)
    feedback_message(grade, ("lru.go",)) -> str | None

After a turn whose grade judged the answer and did not pass everything (`compile_fail`,
`test_fail`, `extract_fail`), the next turn's prompt is the conversation so far followed by this
message. What it holds, by verdict:

- `compile_fail`: the compiler's error lines, each naming the model's own file by the name it was
  asked for (the grader's internal path is not shown; line numbers are those of the file as
  extracted from the answer); a line about a file the model did not write
  (the hidden tests) is shown as `hidden test: <the compiler's message>`, its path left out;
- `test_fail`: how many tests fail and their names, then each failing test's name and the lines
  `go test` printed for it (its `t.Errorf` messages, a panic), as the grader recorded them;
- `extract_fail`: that no file was found, why, and the file and markers the answer must use.

It never holds the hidden test source or an expected value `go test` did not print: everything
after the fixed framing comes from the grade's checks and build log, which hold only what the
toolchain printed. The message is capped at MAX_FEEDBACK_CHARS (failing tests first, each test's
lines at MAX_TEST_CHARS). `FEEDBACK_FORMAT` names this layout: it is part of a job's identity
(`scheduler/sweeps/expansion.py`), so changing the layout means changing it, and that makes new jobs.

The bounded-retry design (one more try with the failing tests' output, pass rate reported after
each try) follows Aider's polyglot benchmark (`pass_rate_1`, `pass_rate_2`,
https://aider.chat/docs/leaderboards/).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from exams.registry import get_manifest
from exams.types import Grade, PromptStyle, Verdict

FEEDBACK_FORMAT = "checks-1"  # the layout below; part of job identity
MAX_FEEDBACK_CHARS = 4000
MAX_TEST_CHARS = 600
MAX_COMPILER_LINES = 20
REPAIR_VERDICTS = frozenset({Verdict.COMPILE_FAIL, Verdict.TEST_FAIL, Verdict.EXTRACT_FAIL})
# `path/file.go:LINE:COL: message` (COL optional), as the Go compiler prints an error.
_COMPILER_LINE = re.compile(
    r"^\s*(?:\./)?(?P<path>[\w./-]*?)(?P<file>[\w-]+\.go):(?P<line>\d+)(?::\d+)?: (?P<msg>.+)$"
)
GRADER_SOLUTION_FILES = ("solution.go",)  # where the gotest grader writes the model's file


def allowed_turns(exam: str) -> int:
    """The most turns a job of `exam` (`<exam>` or `<exam>/<item>`) may have: its manifest's `turns`."""
    return get_manifest(exam.split("/", 1)[0]).turns


def feedback_message(
    grade: Grade, expected_files: Sequence[str], style: PromptStyle | str = PromptStyle.CHAT
) -> str | None:
    """The message for the model's next turn after `grade`, or None when there is none to write
    (the answer passed everything, or the grade is an infrastructure verdict: never the model's).
    A chat model is asked to answer again with the whole file between markers; for a completion
    style job (a base model continuing a file) the request is left out: the next turn's prompt is
    the file start again, with the earlier answer and this message as comments above it."""
    if grade.verdict not in REPAIR_VERDICTS:
        return None
    files = ", ".join(expected_files) or "the file"
    closing = (
        f"\n\nFix {files} and answer with the whole file again, between the same "
        f"#START {expected_files[0] if expected_files else 'name'}# / #END# markers as before."
        if PromptStyle(style) is PromptStyle.CHAT
        else ""
    )
    if grade.verdict == Verdict.EXTRACT_FAIL:
        why = (grade.log or "").strip().splitlines()[:1] or ["no file found"]
        body = f"No usable file was found in your answer ({_cap(why[0], MAX_TEST_CHARS)})."
    elif grade.verdict == Verdict.COMPILE_FAIL:
        lines = compiler_lines(grade.log or "", expected_files)
        shown = "\n".join(lines[:MAX_COMPILER_LINES]) or "(the compiler printed no error line)"
        more = f"\n... and {len(lines) - MAX_COMPILER_LINES} more" if len(lines) > MAX_COMPILER_LINES else ""
        body = f"Your file does not compile together with the tests. The compiler said:\n{shown}{more}"
    else:
        failing = [c for c in grade.checks if not c.passed]
        names = ", ".join(c.name for c in failing)
        head = f"Your file compiles, but {len(failing)} of {len(grade.checks)} tests fail: {names}."
        parts = [f"- {c.name}: {_cap(c.detail or 'failed', MAX_TEST_CHARS)}" for c in failing]
        body = head + "\n" + "\n".join(parts)
    room = MAX_FEEDBACK_CHARS - len(closing)
    return _cap(body, room) + closing


def compiler_lines(log: str, expected_files: Sequence[str]) -> list[str]:
    """The compiler's error lines of a build log, once each, in order: the model's file named as it
    was asked for, a hidden file's line as `hidden test: <message>`."""
    own = {*expected_files, *GRADER_SOLUTION_FILES}
    name = expected_files[0] if expected_files else "your file"
    seen: list[str] = []
    for raw in log.splitlines():
        match = _COMPILER_LINE.match(raw)
        if match is None:
            continue
        if match["file"] in own:
            line = f"{name}:{match['line']}: {match['msg']}"
        else:
            line = f"hidden test: {match['msg']}"
        if line not in seen:
            seen.append(line)
    return seen


_CUT = " ... (cut short)"


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - len(_CUT))] + _CUT


_GO_STRING = re.compile(r'"(?:[^"\\\n]|\\.){3,}"|`[^`]{3,}`')


def feedback_problems(
    feedback: str | None, grade: Grade, expected_failing: Sequence[str], hidden_source: str
) -> list[str]:
    """What is wrong with the feedback written for a known-bad answer (the qualification gate,
    exams.verify): it must exist, name every test the answer is known to fail (for a `test_fail`),
    and hold no line or string literal of the hidden tests that the grade's own output (what the
    toolchain printed: the checks' details and the log) does not hold."""
    if feedback is None:
        return [f"no feedback written for a {grade.verdict.value} answer"]
    found = []
    if grade.verdict == Verdict.TEST_FAIL:
        found += [
            f"feedback does not name the failing test {name}"
            for name in expected_failing
            if name not in feedback
        ]
    printed = "\n".join([grade.log or "", *(c.detail for c in grade.checks)])
    for line in {ln.strip() for ln in hidden_source.splitlines()}:
        if len(line) >= 12 and not line.startswith("//") and line in feedback and line not in printed:
            found.append(f"feedback shows a hidden test line go test did not print: {line[:80]!r}")
    for literal in set(_GO_STRING.findall(hidden_source)):
        if literal in feedback and literal not in printed:
            found.append(f"feedback shows the hidden tests' value {literal[:80]} that go test did not print")
    return found
