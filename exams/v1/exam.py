"""Exam v1 (/15): factorial, wordfreq and filetreewalk; build (1) + run (1) + output (0-3) each."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from exams.extract import Extraction
from exams.manifest import load_manifest
from exams.registry import QualificationCase, grader_version_of, hostile_cases
from exams.sandbox import BUILD_LIMITS, RUN_DIR, RUN_LIMITS, RunResult, Workspace
from exams.types import Check, Grade, GraderFault, Verdict
from exams.v1 import scoring
from exams.v1.inputs import TREE_ROOT, make_tree, wordfreq_input

HERE = Path(__file__).parent
PROGRAMS = ("factorial", "wordfreq", "filetreewalk")
BUILD_POINTS, RUN_POINTS, OUTPUT_POINTS = 1, 1, 3
# A program's output past the cap is dropped and what was kept is judged (a flood on stderr costs
# a right stdout nothing); a run killed at the wall-clock limit after 2 s of its own CPU is its hang,
# however busy the machine (a right program needs milliseconds).
PROGRAM_LIMITS = RUN_LIMITS.with_(
    wall_s=5.0, cpu_s=5, max_output_bytes=256 * 1024, kill_past_output_cap=False, cpu_charge_s=2.0
)
PROGRAM_BUILD_LIMITS = BUILD_LIMITS
MAX_LOG_CHARS_PER_PROGRAM = 4000


@dataclass
class _Outcome:
    checks: list[Check] = field(default_factory=list)
    log: str = ""


def _run_program(ws: Workspace, name: str, binary: Path) -> tuple[RunResult, Callable[[str], scoring.Score]]:
    if name == "factorial":
        return ws.run([binary], limits=PROGRAM_LIMITS), scoring.score_factorial
    if name == "wordfreq":
        return ws.run([binary], stdin=wordfreq_input(), limits=PROGRAM_LIMITS), scoring.score_wordfreq
    result = ws.run([binary, f"{RUN_DIR}/{TREE_ROOT}"], setup=make_tree, limits=PROGRAM_LIMITS)
    return result, scoring.score_filetreewalk


class V1Exam:
    """The three-programs exam of the article, graded by running each program on known inputs."""

    name = "v1"
    max_score: float = 15
    expected_files = tuple(f"{p}.go" for p in PROGRAMS)

    def __init__(self) -> None:
        self.content_hints: dict[str, tuple[str, ...]] = {
            "factorial.go": ("factorial", "3628800", "10!"),
            "wordfreq.go": ("os.Stdin", "bufio", "ToLower"),
            "filetreewalk.go": ("filepath.Walk", "WalkDir", "os.Args"),
        }

    @functools.cached_property
    def grader_version(self) -> str:
        """A hash of v1's grader files and the shared grading code."""
        return "v1-" + grader_version_of(HERE)

    def prompt(self) -> str:
        """The prompt sent to the model."""
        return (HERE / "prompt.txt").read_text()

    def grade_files(self, extraction: Extraction) -> Grade:
        """Build each extracted program alone, run each on its input, score the output.

        The builds run in parallel, then the runs. Raises GraderFault when a build or run
        ended by our doing (see exams.sandbox.limits).
        """
        checks: list[Check] = []
        logs: list[str] = []
        sources = {p: extraction.files[f"{p}.go"] for p in PROGRAMS if f"{p}.go" in extraction.files}
        with Workspace() as ws:
            built = ws.build(sources, limits=PROGRAM_BUILD_LIMITS) if sources else None
            if built is not None and built.faults:
                raise GraderFault("; ".join(f"{name} build: {cause}" for name, cause in built.faults.items()))
            binaries = built.binaries if built is not None else {}
            with ThreadPoolExecutor(max_workers=len(PROGRAMS)) as pool:
                runs = dict(
                    zip(binaries, pool.map(lambda n: _run_program(ws, n, binaries[n]), binaries), strict=True)
                )
        for name, (result, _) in runs.items():
            if (fault := result.grader_fault()) is not None:
                raise GraderFault(f"{name} run {fault}")
        for name in PROGRAMS:
            if name not in sources:
                reason = extraction.problems.get(f"{name}.go", "not found in the response")
                checks += _zero(name, f"not extracted: {reason}")
            elif name not in runs:
                assert built is not None
                program = built.programs[name]
                logs.append(f"== {name} build\n{program.log[:MAX_LOG_CHARS_PER_PROGRAM]}")
                checks += _zero(name, f"build failed: {program.reason}")
            else:
                checks.append(Check(f"{name}.build", True, BUILD_POINTS, BUILD_POINTS, "built"))
                checks += _scored(name, *runs[name], logs)
        score = sum(c.points for c in checks)
        compiled = any(c.passed for c in checks if c.name.endswith(".build"))
        if not sources:
            verdict = Verdict.EXTRACT_FAIL
        elif score == self.max_score:
            verdict = Verdict.OK
        elif not compiled:
            verdict = Verdict.COMPILE_FAIL
        else:
            verdict = Verdict.TEST_FAIL
        return Grade(
            exam=self.name,
            score=score,
            max_score=self.max_score,
            compiled=compiled,
            verdict=verdict,
            checks=checks,
            grader_version=self.grader_version,
            duration_s=0.0,
            log="\n".join(logs),
        )

    def qualification_cases(self) -> list[QualificationCase]:
        """The reference solution and the known-bad ones (exams/v1/qualification.py)."""
        from exams.v1.qualification import build_cases

        return build_cases() + hostile_cases(load_manifest(HERE))


def _scored(
    name: str, result: RunResult, scorer: Callable[[str], scoring.Score], logs: list[str]
) -> list[Check]:
    ran = result.ok
    run_detail = "exit 0" if ran else result.describe()
    if result.stderr:
        logs.append(f"== {name} stderr\n{result.stderr.decode(errors='replace')[:MAX_LOG_CHARS_PER_PROGRAM]}")
    if result.timed_out:
        points, detail = 0, f"no output judged: {result.describe()}"
    else:
        points, detail = scorer(result.stdout.decode(errors="replace"))
    return [
        Check(f"{name}.run", ran, RUN_POINTS if ran else 0, RUN_POINTS, run_detail),
        Check(f"{name}.output", points == OUTPUT_POINTS, points, OUTPUT_POINTS, detail),
    ]


def _zero(name: str, detail: str) -> list[Check]:
    return [
        Check(f"{name}.build", False, 0, BUILD_POINTS, detail),
        Check(f"{name}.run", False, 0, RUN_POINTS, "not run: no binary"),
        Check(f"{name}.output", False, 0, OUTPUT_POINTS, "not run: no binary"),
    ]


__all__ = ["PROGRAMS", "TREE_ROOT", "V1Exam"]
