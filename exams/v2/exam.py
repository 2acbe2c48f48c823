"""Exam v2 (/10): make the inverter scraper resilient; ten integration tests, one point each."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from exams.extract import Extraction
from exams.manifest import load_manifest
from exams.registry import QualificationCase, grader_version_of, hostile_cases
from exams.sandbox import BUILD_LIMITS, RUN_LIMITS, BuildResult, Workspace
from exams.types import Check, Grade, GraderFault, Verdict
from exams.v2.harness import TEST_NAMES, HarnessFailure, Report, harness_binary, parse_report

HERE = Path(__file__).parent
FILE_NAME = "scraper.go"
MAX_LOG_CHARS = 8000
# The harness and every scraper it starts run under these limits: scrapers share
# one uid, so the process cap covers ten Go programs and their threads.
# The harness is ours: its wall-clock limit is never extended, and any ending but its report
# is grader_error.
HARNESS_LIMITS = RUN_LIMITS.with_(
    wall_s=240.0, cpu_s=120, processes=4096, max_output_bytes=1024 * 1024, starved_extension=0.0
)
PLAIN_BUILD_LIMITS = BUILD_LIMITS
RACE_BUILD_LIMITS = BUILD_LIMITS
# -race binaries get no address-space limit (TSAN maps terabytes); the harness kills a -race run
# whose processes' resident memory passes this instead.
RACE_RSS_LIMIT_BYTES = 1024 * 1024 * 1024


class V2Exam:
    """The resilience exam of the article, graded by a Go integration harness against mocks."""

    name = "v2"
    max_score: float = len(TEST_NAMES)
    expected_files = (FILE_NAME,)

    def __init__(self) -> None:
        self.content_hints: dict[str, tuple[str, ...]] = {
            FILE_NAME: ("MetricSink", "measurements.xml", "Kostal")
        }

    @functools.cached_property
    def grader_version(self) -> str:
        """A hash of v2's grader files (harness included) and the shared grading code."""
        return "v2-" + grader_version_of(HERE)

    def prompt(self) -> str:
        """The prompt sent to the model: the task and the baseline program."""
        baseline = (HERE / "baseline" / FILE_NAME).read_text()
        return (HERE / "prompt.txt").read_text().replace("{baseline}", baseline.rstrip("\n"))

    def grade_files(self, extraction: Extraction) -> Grade:
        """Build the scraper (plain and -race), run the ten harness tests, score one point each.

        Raises GraderFault when a build or the harness ended by our doing.
        """
        source = extraction.files.get(FILE_NAME)
        if source is None:
            reason = extraction.problems.get(FILE_NAME, "not found in the response")
            return self._zero(Verdict.EXTRACT_FAIL, f"not extracted: {reason}", "")
        harness = harness_binary()
        with Workspace() as ws:
            with ThreadPoolExecutor(max_workers=2) as pool:
                plain_job = pool.submit(ws.build, {"scraper": source}, limits=PLAIN_BUILD_LIMITS)
                race_job = pool.submit(ws.build, {"scraper": source}, race=True, limits=RACE_BUILD_LIMITS)
                plain: BuildResult = plain_job.result()
                race: BuildResult = race_job.result()
            for kind, built in (("", plain), ("-race ", race)):
                if cause := built.faults.get("scraper"):
                    raise GraderFault(f"{kind}build: {cause}")
            binary = plain.binaries.get("scraper")
            if binary is None:
                failed = plain.programs["scraper"]
                return self._zero(Verdict.COMPILE_FAIL, "build failed: " + failed.reason, failed.log)
            argv: list[str | Path] = [
                harness,
                "-binary",
                binary,
                "-race-rss-limit",
                str(RACE_RSS_LIMIT_BYTES),
            ]
            race_binary = race.binaries.get("scraper")
            if race_binary is not None:
                argv += ["-race-binary", race_binary]
            else:
                race_log = ws.root / "race-build.log"
                race_log.write_text(race.programs["scraper"].log or race.programs["scraper"].reason)
                race_log.chmod(0o644)
                argv += ["-race-error-file", race_log]
            result = ws.run(argv, trusted=True, limits=HARNESS_LIMITS)
        stderr = result.stderr.decode(errors="replace")
        if not result.ok:
            cause = f"sandbox failure: {result.sandbox_error}" if result.sandbox_error else result.describe()
            raise GraderFault(f"harness {cause}\n{stderr[-MAX_LOG_CHARS:]}")
        try:
            report = parse_report(result.stdout)
        except HarnessFailure as exc:
            raise GraderFault(f"{exc}\n{stderr[-MAX_LOG_CHARS:]}") from exc
        return self._scored(report, race.programs["scraper"].log if race_binary is None else "")

    def _scored(self, report: Report, race_log: str) -> Grade:
        checks = [Check(t.name, t.passed, 1 if t.passed else 0, 1, t.detail) for t in report.tests]
        score = sum(c.points for c in checks)
        compiled = score > 0  # the article's "compiles": builds and passes at least one test
        if score == self.max_score:
            verdict = Verdict.OK
        elif compiled:
            verdict = Verdict.TEST_FAIL
        else:
            verdict = Verdict.COMPILE_FAIL
        log = f"flags: {report.cli}\n" + (f"-race build log:\n{race_log}" if race_log else "")
        grade = self._grade(verdict, checks, log)
        grade.extra["cli"] = report.cli
        grade.extra["harness_duration_s"] = report.duration_s
        return grade

    def _zero(self, verdict: Verdict, detail: str, log: str) -> Grade:
        checks = [Check(n, False, 0, 1, detail) for n in TEST_NAMES]
        return self._grade(verdict, checks, f"{detail}\n{log}")

    def _grade(self, verdict: Verdict, checks: list[Check], log: str) -> Grade:
        return Grade(
            exam=self.name,
            score=sum(c.points for c in checks),
            max_score=self.max_score,
            compiled=verdict in {Verdict.OK, Verdict.TEST_FAIL},
            verdict=verdict,
            checks=checks,
            grader_version=self.grader_version,
            duration_s=0.0,
            log=log[-MAX_LOG_CHARS:],
        )

    def qualification_cases(self) -> list[QualificationCase]:
        """The reference solution and the known-bad ones (exams/v2/qualification.py)."""
        from exams.v2.qualification import build_cases

        return build_cases() + hostile_cases(load_manifest(HERE))


__all__ = ["FILE_NAME", "V2Exam"]
