"""Graders fair to every valid program: today's Go accepted, each program judged alone.

The field cases (`../shared/reference/field-cases/`) with their right values, and more of each
kind: a `//go:build` line, `import "C"`, a second package clause, a generic alias newer than
Go 1.22, a package that is not main.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import exams
from exams.golang import GoToolchain, GoToolchainError
from exams.sandbox import Workspace, go_mod
from exams.types import Grade, Verdict
from exams.v1.qualification import as_response, reference_sources
from tests.support.field_cases import field_case


def failed(grade: Grade) -> dict[str, str]:
    return {c.name: c.detail for c in grade.checks if not c.passed}


def with_program(program: str, source: str) -> str:
    sources = reference_sources()
    sources[program] = source
    return as_response(sources)


def test_the_workspace_go_mod_states_the_toolchains_own_language_version(go_toolchain: GoToolchain) -> None:
    assert go_toolchain.version.startswith("go" + go_toolchain.language_version)
    assert go_mod(go_toolchain).splitlines()[-1] == f"go {go_toolchain.language_version}"


@pytest.mark.parametrize(
    ("version", "language"), [("go1.27.3", "1.27.3"), ("go1.28rc1", "1.28rc1"), ("go1.30", "1.30")]
)
def test_the_language_version_is_read_from_the_toolchain_version(version: str, language: str) -> None:
    assert GoToolchain(Path("go"), Path("/"), version).language_version == language


def test_an_unreadable_toolchain_version_is_a_toolchain_error() -> None:
    with pytest.raises(GoToolchainError, match="devel"):
        _ = GoToolchain(Path("go"), Path("/"), "devel +abc").language_version


def test_field_case_01_go_newer_than_1_22_gets_full_marks(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v1", field_case("01-go-lang-version.txt"))
    assert (grade.score, grade.verdict) == (15, Verdict.OK), failed(grade)


def test_field_case_02_an_offline_module_import_costs_only_its_own_program(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v1", field_case("02-third-party-import.txt"))
    assert (grade.score, grade.verdict) == (10, Verdict.TEST_FAIL), failed(grade)
    assert set(failed(grade)) == {"wordfreq.build", "wordfreq.run", "wordfreq.output"}
    reason = failed(grade)["wordfreq.build"]
    assert "golang.org/x/exp" in reason and "module lookup disabled by GOPROXY=off" in reason


def test_field_case_04_all_correct_gets_full_marks_with_a_warm_cache(go_toolchain: GoToolchain) -> None:
    # Its other half (builds past our time limit are grader_error) is in test_grader_faults.py.
    grade = exams.grade("v1", field_case("04-all-correct.txt"))
    assert (grade.score, grade.verdict) == (15, Verdict.OK), failed(grade)


def test_field_case_09_an_outer_four_backtick_fence_gets_full_marks(go_toolchain: GoToolchain) -> None:
    grade = exams.grade("v1", field_case("09-nested-fences-4-backticks.txt"))
    assert (grade.score, grade.verdict) == (15, Verdict.OK), failed(grade)


FACTORIAL_BODY = 'import "fmt"\n\nfunc main() {\n\tn := 1\n\tfor i := 2; i <= 10; i++ {\n\t\tn *= i\n\t}\n\tfmt.Println(n)\n}\n'


@pytest.mark.parametrize(
    "header",
    [
        "//go:build ignore\n\npackage main\n",
        "//go:build windows\n\npackage main\n",
        "//go:build !linux && !race\n\npackage main\n",
    ],
    ids=["ignore", "other_os", "not_linux"],
)
def test_a_build_constraint_line_is_ignored_as_by_go_build_of_the_file(
    header: str, go_toolchain: GoToolchain
) -> None:
    grade = exams.grade("v1", with_program("factorial", f"{header}\n{FACTORIAL_BODY}"))
    assert (grade.score, grade.verdict) == (15, Verdict.OK), failed(grade)


def test_a_generic_alias_newer_than_go_1_22_builds(go_toolchain: GoToolchain) -> None:
    source = (
        'package main\n\nimport "fmt"\n\ntype Product[T ~int] = func(T, T) T\n\n'
        "func main() {\n\tvar mul Product[int] = func(a, b int) int { return a * b }\n\tn := 1\n"
        "\tfor i := range 10 {\n\t\tn = mul(n, i+1)\n\t}\n\tfmt.Println(n)\n}\n"
    )
    grade = exams.grade("v1", with_program("factorial", source))
    assert (grade.score, grade.verdict) == (15, Verdict.OK), failed(grade)


def test_a_program_importing_c_is_told_cgo_is_disabled_and_the_others_keep_their_points(
    go_toolchain: GoToolchain,
) -> None:
    source = f'package main\n\n// #include <stdio.h>\nimport "C"\n\n{FACTORIAL_BODY}'
    grade = exams.grade("v1", with_program("factorial", source))
    assert (grade.score, grade.verdict) == (10, Verdict.TEST_FAIL)
    assert "cgo is disabled in the grader" in failed(grade)["factorial.build"]


def test_a_second_package_clause_costs_only_its_own_program_with_its_own_error(
    go_toolchain: GoToolchain,
) -> None:
    source = (
        f"package main\n\n{FACTORIAL_BODY}\npackage helpers\n\nfunc Double(n int) int {{ return 2 * n }}\n"
    )
    grade = exams.grade("v1", with_program("factorial", source))
    assert (grade.score, grade.verdict) == (10, Verdict.TEST_FAIL)
    assert set(failed(grade)) == {"factorial.build", "factorial.run", "factorial.output"}
    assert (
        "factorial.go:" in failed(grade)["factorial.build"]
        and "syntax error" in failed(grade)["factorial.build"]
    )


def test_one_program_per_load_failure_each_with_its_own_reason(go_toolchain: GoToolchain) -> None:
    sources = reference_sources()
    sources["factorial"] = sources["factorial"].replace(
        'import "fmt"', 'import (\n\t"fmt"\n\t"example.com/nope"\n)'
    )
    sources["filetreewalk"] = sources["filetreewalk"].replace("package main", "package walker", 1)
    grade = exams.grade("v1", as_response(sources))
    assert (grade.score, grade.verdict) == (5, Verdict.TEST_FAIL), failed(grade)
    assert "example.com/nope" in failed(grade)["factorial.build"]
    assert "package walker is not package main" in failed(grade)["filetreewalk.build"]


def test_a_package_that_is_not_main_builds_no_program(workspace: Workspace) -> None:
    built = workspace.build({"lib": "package lib\n\nfunc Double(n int) int { return 2 * n }\n"})
    assert built.binaries == {} and "package lib is not package main" in built.programs["lib"].reason
    assert built.programs["lib"].fault is None
