"""Go coding exams and their graders; `grade(exam, response_text)` is the API the worker calls.

    grade("v1", text, finish_reason="stop") -> Grade
    grade("go-tasks/lru", continuation, prompt_style="completion") -> Grade   (the file start + text)

Never raises for a grader failure: a crash, a missing Go toolchain, a
`GraderFault` (a build or run ended by our time limit, a kill or a sandbox
failure) or any other fault of ours becomes verdict `grader_error` (score 0,
never counted against the model; the log names the cause). An unknown exam
name raises `UnknownExamError` (operator mistake). With finish_reason "length"
and code cut off, the verdict is `truncated` and nothing is run. Exams are
folders with a manifest, found by `exams.registry`.
"""

from __future__ import annotations

import logging
import re
import time
import traceback

from exams.extract import Extraction, extract_files
from exams.golang import GoToolchainError
from exams.registry import CompletesFile, Exam, NormalizesResponse, file_apis, get_exam, list_exams
from exams.types import Check, ExamError, Grade, GraderFault, PromptStyle, UnknownExamError, Verdict

__all__ = [
    "Check",
    "Exam",
    "ExamError",
    "Extraction",
    "Grade",
    "GraderFault",
    "PromptStyle",
    "UnknownExamError",
    "Verdict",
    "extract_files",
    "get_exam",
    "grade",
    "list_exams",
]

log = logging.getLogger(__name__)
MAX_LOG_CHARS = 20_000


def _failed(exam: Exam, verdict: Verdict, started: float, detail: str, version: str) -> Grade:
    return Grade(
        exam=exam.name,
        score=0,
        max_score=exam.max_score,
        compiled=False,
        verdict=verdict,
        checks=[],
        grader_version=version,
        duration_s=time.monotonic() - started,
        log=detail[-MAX_LOG_CHARS:],
    )


def grade(
    exam: str,
    response_text: str,
    finish_reason: str | None = None,
    prompt_style: PromptStyle | str = PromptStyle.CHAT,
) -> Grade:
    """Grade one raw model response for `exam`; grader faults become verdict grader_error.

    With `prompt_style` completion the response is the continuation of the exam's file start
    (`CompletesFile`): the answer file graded is that start followed by the response, as it is (cut
    at max_tokens: see `_grade_completion`)."""
    started = time.monotonic()
    spec = get_exam(exam)
    version = "unknown"
    try:
        version = spec.grader_version
        if PromptStyle(prompt_style) is PromptStyle.COMPLETION:
            return _grade_completion(spec, response_text, finish_reason, started, version)
        text = (
            spec.normalize_response(response_text) if isinstance(spec, NormalizesResponse) else response_text
        )
        apis = file_apis(spec)
        extraction = extract_files(text, spec.expected_files, finish_reason, spec.content_hints, apis)
        if finish_reason == "length" and extraction.problems:
            detail = "; ".join(extraction.problems.values())
            return _failed(spec, Verdict.TRUNCATED, started, "finish_reason=length: " + detail, version)
        result = spec.grade_files(extraction)
    except (GoToolchainError, GraderFault) as exc:
        log.error("grader_error for exam %s: %s", exam, exc)
        return _failed(spec, Verdict.GRADER_ERROR, started, str(exc), version)
    except Exception:
        log.exception("grader_error for exam %s", exam)
        return _failed(spec, Verdict.GRADER_ERROR, started, traceback.format_exc(), version)
    return _finished(result, started, version)


# A line that closes a top-level declaration: `}` or `)` alone at column 0 (Go, like the C family).
_DECLARATION_END = re.compile(r"^[})][ \t]*$", re.MULTILINE)
# Where the Go toolchain places an error: a parse error ("syntax error", or go list's "[setup
# failed]" for a malformed import block) at that line was there before any cut that came later.
_ERROR_AT = re.compile(r"\.go:(\d+):\d+: ")
_PARSE_STAGE = ("syntax error", "[setup failed]")


def _grade_completion(
    spec: Exam, continuation: str, finish_reason: str | None, started: float, version: str
) -> Grade:
    """Grade the exam's file start followed by `continuation`. A continuation cut at max_tokens is
    graded up to its last whole top-level declaration, as a base model keeps writing past the API it
    was given; when that does not build, a syntax error the compiler finds before the cut's last
    lines is the model's (compile_fail), else the cut spoiled the code: `truncated` (infra)."""
    if not isinstance(spec, CompletesFile):
        raise GraderFault(
            f"exam {spec.name} has no file start to complete, but the job was asked as a completion"
        )
    start = spec.file_start()
    if finish_reason != "length":
        result = spec.grade_files(Extraction(files={start.file_name: start.text + continuation}))
        return _finished(result, started, version)
    cut_note = "finish_reason=length: the continuation was cut off at max_tokens"
    ends = list(_DECLARATION_END.finditer(continuation))
    if ends:
        whole = continuation[: ends[-1].end()] + "\n"
        result = spec.grade_files(Extraction(files={start.file_name: start.text + whole}))
        if result.verdict in (Verdict.OK, Verdict.TEST_FAIL):
            result.log = f"{cut_note}; graded up to its last whole declaration\n{result.log}"
            return _finished(result, started, version)
    # Nothing whole builds. A syntax error before the last lines was the model's before the cut.
    text = start.text + continuation
    result = spec.grade_files(Extraction(files={start.file_name: text}))
    first = _ERROR_AT.search(result.log)
    parse_error = any(stage in result.log for stage in _PARSE_STAGE)
    if (
        result.verdict is Verdict.COMPILE_FAIL
        and parse_error
        and first
        and int(first.group(1)) < text.count("\n") - 1
    ):
        result.log = f"{cut_note}; a syntax error before the cut is the model's\n{result.log}"
        return _finished(result, started, version)
    detail = f"{cut_note}, which spoiled the code (nothing whole builds, no syntax error before the cut)"
    return _failed(spec, Verdict.TRUNCATED, started, f"{detail}:\n{result.log}", version)


def _finished(result: Grade, started: float, version: str) -> Grade:
    result.duration_s = time.monotonic() - started
    result.grader_version = version
    result.log = result.log[-MAX_LOG_CHARS:]
    return result
