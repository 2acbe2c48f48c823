"""Extraction finds the answer, not the last block (field cases 25 and 29), and reads any response a
server can send, pathological ones included (a model stuck in a loop), without raising."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exams
from exams.extract import FileApi, extract_files, last_program
from exams.golang import GoToolchain
from exams.registry import file_apis, get_exam
from exams.types import Verdict
from testkit.pathological import ANSWER, FILE, KINDS, MARKED
from tests.support.field_cases import field_case

REVERSE = get_exam("go-tasks/reverse")
REFERENCE = (REVERSE.qualification_cases()[0].response_text.split("\n", 1)[1]).rsplit("#END", 1)[0]
EXAMPLE = 'package main\n\nimport (\n\t"fmt"\n\n\t"reverse"\n)\n\nfunc main() {\n\tfmt.Println(reverse.Reverse("ab"))\n}\n'
OWN_TESTS = (
    'package reverse\n\nimport "testing"\n\nfunc TestReverse(t *testing.T) {\n'
    '\tif Reverse("ab") != "ba" {\n\t\tt.Fatal("wrong")\n\t}\n}\n'
)
API = {FILE: FileApi("reverse", ("IsPalindrome", "Reverse"))}


def fenced(*blocks: str, prose: str = "Example usage:") -> str:
    return f"\n{prose}\n\n".join(f"```go\n{b}```" for b in blocks) + "\n"


def test_the_api_is_read_from_the_exams_reference_solution() -> None:
    assert file_apis(REVERSE) == {"reverse.go": FileApi("reverse", ("IsPalindrome", "Reverse"))}
    assert file_apis(get_exam("v1"))["factorial.go"].package == "main"


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(fenced(REFERENCE, EXAMPLE), id="example-usage-after"),
        pytest.param(fenced(EXAMPLE, REFERENCE, prose="The implementation:"), id="example-usage-before"),
        pytest.param(fenced(REFERENCE, OWN_TESTS, prose="And tests:"), id="own-tests-after"),
        pytest.param(fenced(REFERENCE + "\n" + EXAMPLE), id="example-inside-the-same-block"),
    ],
)
def test_the_block_that_declares_the_api_is_the_answer(response: str) -> None:
    got = extract_files(exams.get_exam("go-tasks/reverse").normalize_response(response), [FILE], api=API)  # type: ignore[attr-defined]
    assert "func IsPalindrome" in got.files[FILE] and "func main" not in got.files[FILE]
    assert "TestReverse" not in got.files[FILE]


def test_without_an_api_the_last_complete_block_is_still_taken() -> None:
    got = extract_files(fenced(REFERENCE.replace("package reverse", "package main"), EXAMPLE), [FILE])
    assert "func main" in got.files[FILE]


@pytest.mark.parametrize(
    "hidden",
    [
        "/*\npackage main\n\nfunc main() {}\n*/\n",  # a package clause inside a block comment
        "var usage = `\npackage main\n\nfunc main() {}\n`\n",  # inside a raw string
    ],
)
def test_a_package_clause_inside_a_comment_or_a_string_is_not_a_restart(hidden: str) -> None:
    code = REFERENCE.replace("package reverse", "package main") + hidden
    assert last_program(code, API[FILE]) == code


def test_a_program_abandoned_for_an_example_keeps_the_one_that_declares_the_api() -> None:
    code = REFERENCE + "\n" + EXAMPLE
    assert last_program(code, API[FILE]).startswith("package reverse")
    assert last_program(code).startswith("package main")  # no api: the last whole program


def test_case_25_an_example_usage_block_last_grades_the_answer(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("go-tasks/reverse", field_case("25-example-usage-block-last.txt"))
    assert (grade.verdict, grade.score) == (Verdict.OK, 1.0), grade.log


def test_an_answer_followed_by_its_own_tests_grades_the_answer(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("go-tasks/reverse", fenced(REFERENCE, OWN_TESTS, prose="Tests:"))
    assert (grade.verdict, grade.score) == (Verdict.OK, 1.0), grade.log


def test_case_29_a_byte_order_mark_before_the_first_marker_loses_nothing(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v1", field_case("29-bom-before-first-marker.txt"))
    assert (grade.verdict, grade.score) == (Verdict.OK, 15), grade.log


@given(
    prefix=st.text(st.sampled_from(["\ufeff", "\u200b", "\u200c", "\u200d", "\u2060"]), max_size=4),
    suffix=st.text(st.sampled_from(["\ufeff", "\u200b", "\u2060"]), max_size=3),
    crlf=st.booleans(),
)
def test_invisible_characters_and_crlf_around_markers_and_fences_lose_nothing(
    prefix: str, suffix: str, crlf: bool
) -> None:
    for text in (MARKED, f"```go\n{ANSWER}```\n"):
        lines = [prefix + line + suffix for line in text.split("\n")]
        response = ("\r\n" if crlf else "\n").join(lines)
        assert extract_files(response, [FILE]).files == {FILE: ANSWER}


# What each pathological kind must give: the answer it holds, or no file.
EXPECTED = {
    "unclosed_fences": None,
    "repeated_fences": "package main\n",
    "think_on_one_line": None,
    "nested_fences": ANSWER,
    "blank_lines": ANSWER,
    "repeated_markers": None,
    "long_fence_line": ANSWER,
    "backtick_runs": None,
    "harmony_headers": None,
    "package_restarts": None,  # extracted whole (every program unfinished): only no exception asked
    "open_comments": None,
    "invisible_prefixes": ANSWER,
}


@pytest.mark.parametrize("size", [10_000, 1_000_000])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_pathological_answer_of_any_size_is_read_without_raising(kind: str, size: int) -> None:
    got = extract_files(KINDS[kind](size), [FILE], api=API)
    assert set(got.files) | set(got.problems) == {FILE}
    if EXPECTED[kind] is not None:
        assert got.files == {FILE: EXPECTED[kind]}
    elif kind not in ("package_restarts", "open_comments"):
        assert not got.files


FRAGMENTS = [
    "```go\n",
    "```\n",
    "````\n",
    "~~~\n",
    "<think>",
    "</think>",
    "#START reverse.go#\n",
    "#END reverse.go#\n",
    "package main\n",
    "func f() {\n",
    "}\n",
    "/* ",
    "`",
    '"',
    "<|channel|>final<|message|>",
    "<|end|>",
    "\ufeff",
    "\r\n",
    "\ud800",
]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60), st.sampled_from([None, "stop", "length"]))
def test_any_mix_of_fences_markers_tags_and_clauses_is_read_without_raising(
    fragments: list[str], finish_reason: str | None
) -> None:
    got = extract_files("".join(fragments), [FILE, "other.go"], finish_reason, api=API)
    assert set(got.files) | set(got.problems) == {FILE, "other.go"}
    assert not any("\ud800" in code for code in got.files.values())  # a file UTF-8 can hold


def test_a_lone_surrogate_in_the_code_is_graded_not_a_grader_error(go_toolchain: GoToolchain) -> None:
    answer = REFERENCE.replace("// Reverse returns", "// Reverse \ud800 returns")
    grade = exams.grade("go-tasks/reverse", f"#START reverse.go#\n{answer}#END reverse.go#\n")
    assert (grade.verdict, grade.score) == (Verdict.OK, 1.0), grade.log
