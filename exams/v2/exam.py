"""Exam v2 (/10): make the inverter scraper resilient; ten integration tests, one point each."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from exams.extract import Extraction
from exams.registry import QualificationCase, grader_version_of
from exams.sandbox import RUN_LIMITS, BuildResult, Workspace
from exams.types import Check, Grade, Verdict
from exams.v2.harness import TEST_NAMES, HarnessFailure, Report, harness_binary, parse_report

HERE = Path(__file__).parent
FILE_NAME = "scraper.go"
MAX_LOG_CHARS = 8000
# The harness and every scraper it starts run under these limits: scrapers share
# one uid, so the process cap covers ten Go programs and their threads.
HARNESS_LIMITS = RUN_LIMITS.with_(wall_s=240.0, cpu_s=120, processes=4096, max_output_bytes=1024 * 1024)
# -race binaries get no address-space limit (TSAN maps terabytes); the harness kills a -race run
# whose processes' resident memory passes this instead.
RACE_RSS_LIMIT_BYTES = 1024 * 1024 * 1024


def _first_error(log: str) -> str:
    for line in log.splitlines():
        if line.strip() and not line.startswith("#"):
            return line.strip()[:200]
    return "go build failed"


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
        """Build the scraper (plain and -race), run the ten harness tests, score one point each."""
        source = extraction.files.get(FILE_NAME)
        if source is None:
            reason = extraction.problems.get(FILE_NAME, "not found in the response")
            return self._zero(Verdict.EXTRACT_FAIL, f"not extracted: {reason}", "")
        harness = harness_binary()
        with Workspace() as ws:
            with ThreadPoolExecutor(max_workers=2) as pool:
                plain_job = pool.submit(ws.build, {"scraper": source})
                race_job = pool.submit(ws.build, {"scraper": source}, race=True)
                plain: BuildResult = plain_job.result()
                race: BuildResult = race_job.result()
            binary = plain.binaries.get("scraper")
            if binary is None:
                if plain.timed_out:
                    return self._zero(Verdict.GRADER_ERROR, "go build timed out", plain.log)
                return self._zero(Verdict.COMPILE_FAIL, "build failed: " + _first_error(plain.log), plain.log)
            argv: list[str | Path] = [harness, "-binary", binary, "-race-rss-limit", str(RACE_RSS_LIMIT_BYTES)]
            race_binary = race.binaries.get("scraper")
            if race_binary is not None:
                argv += ["-race-binary", race_binary]
            else:
                race_log = ws.root / "race-build.log"
                race_log.write_text(race.log or "go build -race failed with no output")
                race_log.chmod(0o644)
                argv += ["-race-error-file", race_log]
            result = ws.run(argv, trusted=True, limits=HARNESS_LIMITS)
        stderr = result.stderr.decode(errors="replace")
        if not result.ok:
            return self._zero(Verdict.GRADER_ERROR, f"harness {result.describe()}", stderr)
        try:
            report = parse_report(result.stdout)
        except HarnessFailure as exc:
            return self._zero(Verdict.GRADER_ERROR, str(exc), stderr)
        return self._scored(report, race.log if race_binary is None else "")

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
        checks = (
            [] if verdict is Verdict.GRADER_ERROR else [Check(n, False, 0, 1, detail) for n in TEST_NAMES]
        )
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

        return build_cases()


__all__ = ["FILE_NAME", "V2Exam"]
