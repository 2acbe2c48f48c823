"""v1's qualification cases: the reference solution and known-bad ones with their exact grades.

Each known-bad case is the reference response with one program edited (a few
exact text replacements, each of which must match once), so the defect is
visible here in one line. `exams verify --exam v1` grades all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exams.registry import QualificationCase
from exams.types import Verdict

SOLUTIONS = Path(__file__).parent / "solutions"
PROGRAMS = ("factorial", "wordfreq", "filetreewalk")


@dataclass(frozen=True)
class Defect:
    """One program edited away from the reference, and what it must then earn."""

    name: str
    program: str
    edits: tuple[tuple[str, str], ...]
    build: bool = True
    run: bool = True
    output_points: int = 3
    why: str = ""


DEFECTS = (
    Defect(
        "factorial_does_not_build",
        "factorial",
        (("fmt.Println(result)", "fmt.Println(result"),),
        build=False,
        run=False,
        output_points=0,
        why="syntax error",
    ),
    Defect(
        "factorial_panics",
        "factorial",
        (("result := 1\n", 'result := 1\n\tpanic("boom")\n'),),
        run=False,
        output_points=0,
        why="panics before printing",
    ),
    Defect(
        "factorial_never_exits",
        "factorial",
        (("i <= 10; i++", "i <= 10; i *= 1"),),
        run=False,
        output_points=0,
        why="infinite loop, killed at the time limit",
    ),
    Defect(
        "factorial_wrong_value",
        "factorial",
        (("i <= 10", "i < 10"),),
        output_points=0,
        why="prints 9! instead of 10!",
    ),
    Defect(
        "factorial_labelled_output",
        "factorial",
        (("fmt.Println(result)", 'fmt.Println("10! =", result)'),),
        output_points=2,
        why="extra text around the number",
    ),
    Defect(
        "wordfreq_case_sensitive",
        "wordfreq",
        (("strings.FieldsFunc(strings.ToLower(scanner.Text())", "strings.FieldsFunc(scanner.Text()"),),
        output_points=0,
        why="counts The and the apart",
    ),
    Defect(
        "wordfreq_ascending",
        "wordfreq",
        (
            (
                "for _, w := range words {\n\t\tfmt",
                "for i := len(words) - 1; i >= 0; i-- {\n\t\tw := words[i]\n\t\tfmt",
            ),
        ),
        output_points=1,
        why="top ten printed least frequent first",
    ),
    Defect(
        "wordfreq_top_nine",
        "wordfreq",
        (("len(words) > 10 {\n\t\twords = words[:10]", "len(words) > 9 {\n\t\twords = words[:9]"),),
        output_points=1,
        why="prints nine words",
    ),
    Defect(
        "wordfreq_header_line",
        "wordfreq",
        (
            (
                "for _, w := range words {\n\t\tfmt",
                'fmt.Println("Top 10 words:")\n\tfor _, w := range words {\n\t\tfmt',
            ),
        ),
        output_points=2,
        why="extra junk line on stdout",
    ),
    Defect(
        "wordfreq_ignores_stdin",
        "wordfreq",
        (("scanner.Scan()", "scanner.Scan() && false"),),
        output_points=0,
        why="reads nothing, prints nothing",
    ),
    Defect(
        "filetreewalk_skips_subdirectories",
        "filetreewalk",
        (
            (
                "if !d.Type().IsRegular() {",
                "if d.IsDir() && path != os.Args[1] {\n\t\t\treturn filepath.SkipDir\n\t\t}\n\t\tif !d.Type().IsRegular() {",
            ),
        ),
        output_points=1,
        why="lists the top directory only",
    ),
    Defect(
        "filetreewalk_prints_directories",
        "filetreewalk",
        (("if !d.Type().IsRegular() {", "if d.Type()&fs.ModeSymlink != 0 {"),),
        output_points=2,
        why="directories listed as files",
    ),
    Defect(
        "filetreewalk_ascending",
        "filetreewalk",
        (("entries[i].size > entries[j].size", "entries[i].size < entries[j].size"),),
        output_points=1,
        why="smallest first",
    ),
    Defect(
        "filetreewalk_no_argument_used",
        "filetreewalk",
        (("os.Args[1], func", '".", func'),),
        output_points=0,
        why="walks the working directory, not the argument",
    ),
    Defect(
        "factorial_imports_an_offline_module",
        "factorial",
        (
            (
                'import "fmt"',
                (
                    'import (\n\t"fmt"\n\n\t"golang.org/x/exp/constraints"\n)\n\n'
                    "func mul[T constraints.Integer](a, b T) T { return a * b }"
                ),
            ),
        ),
        build=False,
        run=False,
        output_points=0,
        why="imports a module an offline build cannot fetch: only factorial fails",
    ),
    # Other reasonable readings of the prompt: these must keep full marks.
    Defect(
        "wordfreq_ranges_over_a_go_1_24_iterator",
        "wordfreq",
        (
            (
                (
                    "words := strings.FieldsFunc(strings.ToLower(scanner.Text()), func(r rune) bool { return !unicode.IsLetter(r) })\n"
                    "\t\tfor _, w := range words {"
                ),
                "for w := range strings.FieldsFuncSeq(strings.ToLower(scanner.Text()), func(r rune) bool { return !unicode.IsLetter(r) }) {",
            ),
        ),
        why="strings.FieldsFuncSeq (Go 1.24): today's Go is accepted",
    ),
    Defect(
        "factorial_with_a_build_constraint_line",
        "factorial",
        (("package main", "//go:build ignore\n\npackage main"),),
        why="`go build factorial.go` ignores the constraint of a file it is given: accepted",
    ),
    Defect(
        "wordfreq_splits_on_whitespace",
        "wordfreq",
        (
            (
                "strings.FieldsFunc(strings.ToLower(scanner.Text()), func(r rune) bool { return !unicode.IsLetter(r) })",
                "strings.Fields(strings.ToLower(scanner.Text()))",
            ),
            ('\t"unicode"\n', ""),
        ),
        why="words split on whitespace, punctuation kept: accepted",
    ),
    Defect(
        "filetreewalk_follows_symlinks",
        "filetreewalk",
        (
            ("if !d.Type().IsRegular() {", "if d.IsDir() {"),
            ("info, err := d.Info()", "info, err := os.Stat(path)"),
        ),
        why="symlink listed with its target's size: accepted",
    ),
    Defect(
        "filetreewalk_relative_paths",
        "filetreewalk",
        (
            (
                'fmt.Printf("%d %s\\n", e.size, e.path)',
                'rel, _ := filepath.Rel(os.Args[1], e.path)\n\t\tfmt.Printf("%d %s\\n", e.size, rel)',
            ),
        ),
        why="paths relative to the argument: accepted",
    ),
)


def reference_sources() -> dict[str, str]:
    """The reference program of each name."""
    return {p: (SOLUTIONS / f"{p}.go").read_text() for p in PROGRAMS}


def apply_defect(source: str, defect: Defect) -> str:
    """The reference source with the defect's edits; each edit must match exactly once."""
    for old, new in defect.edits:
        if source.count(old) != 1:
            raise ValueError(
                f"qualification case {defect.name}: edit {old!r} matches {source.count(old)} times"
            )
        source = source.replace(old, new)
    return source


def as_response(sources: dict[str, str], fenced: bool = False) -> str:
    """A raw response holding the programs in #START/#END markers (optionally inside ```go fences)."""
    parts = []
    for name, source in sources.items():
        block = f"#START {name}.go#\n{source.rstrip()}\n#END {name}.go#"
        parts.append(f"```go\n{block}\n```" if fenced else block)
    return "\n\n".join(parts) + "\n"


def _checks(program: str | None, build: bool, run: bool, output_points: int) -> tuple[dict[str, bool], int]:
    checks: dict[str, bool] = {}
    score = 0
    for p in PROGRAMS:
        b, r, o = (build, run, output_points) if p == program else (True, True, 3)
        checks |= {f"{p}.build": b, f"{p}.run": r, f"{p}.output": o == 3}
        score += int(b) + int(r) + o
    return checks, score


def build_cases() -> list[QualificationCase]:
    """All v1 qualification cases."""
    reference = reference_sources()
    full_checks, full_score = _checks(None, True, True, 3)
    cases = [
        QualificationCase(
            "reference", as_response(reference), full_score, Verdict.OK, full_checks, "reference"
        ),
        QualificationCase(
            "reference_in_fences",
            as_response(reference, fenced=True),
            full_score,
            Verdict.OK,
            full_checks,
            "markers inside ```go fences",
        ),
        QualificationCase(
            "no_code",
            "I cannot help with that.\n",
            0,
            Verdict.EXTRACT_FAIL,
            {k: False for k in full_checks},
            "no code at all",
        ),
    ]
    for defect in DEFECTS:
        sources = dict(reference)
        sources[defect.program] = apply_defect(reference[defect.program], defect)
        checks, score = _checks(defect.program, defect.build, defect.run, defect.output_points)
        verdict = Verdict.OK if score == full_score else Verdict.TEST_FAIL
        cases.append(QualificationCase(defect.name, as_response(sources), score, verdict, checks, defect.why))
    return cases
