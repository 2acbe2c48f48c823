"""The `gotest` grader: exams made of small Go tasks, each graded by hidden `go test` tests.

A suite (`GoTestSuite`) is an exam folder whose manifest says `grader = "gotest"`; each task is
an item with its own prompt, generation and grade, named `<exam>/<task>` (e.g. `go-tasks/lru`).
A task's checks are its hidden top-level tests, one each; its score is the share of them passed
(0..1), so a whole-suite score per (model, seed) is the sum over tasks, out of the task count.

Grading one response: extract `<package>.go`, compile it with the hidden tests (`go test -c`,
with `-race` for concurrent tasks) and run the binary in the sandbox until every test has a
verdict (exams.gotest.runner). Verdicts: extract_fail (no file), compile_fail (the file and the
tests do not build together: a wrong API is the model's), ok / test_fail; a build or run ended by
our doing (our time limit, a kill, the sandbox) raises GraderFault: verdict grader_error.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from exams.extract import Extraction
from exams.gotest.estimate import QUICK_SET, quick_set
from exams.gotest.guard import GUARD_FILES, TEST_DIR, test_files
from exams.gotest.runner import DEFAULT_TEST_TIMEOUT_S, run_tests
from exams.gotest.task import DIFFICULTIES, TEST_FILE, TOPICS, KnownBad, Task, load_task
from exams.manifest import Manifest, ManifestError
from exams.registry import FileStart, QualificationCase, grader_version_of, hostile_cases
from exams.sandbox import BUILD_LIMITS, Workspace
from exams.types import Check, Grade, GraderFault, Verdict

HERE = Path(__file__).parent
GRADER_FILES = (
    "exam.py",
    "guard.py",
    "runner.py",
    "task.py",
    "toolchain.py",
)  # not template/: `exams new` copies it
TEST_MODULE = "gotasks"  # the hidden tests import gotasks/<package>
MAX_LOG_CHARS = 8000
LIMIT_NAMES = ("build_s", "test_timeout_s")  # the [limits] of a gotest manifest, seconds
# Where a base model's continuation of a Go file ends: a fence or a second file (it left the file),
# an example or a main function (not part of a library file), its own tests, an answer marker, two
# blank lines in a row (gofmt never leaves them: what follows is no longer the file).
COMPLETION_STOP = ("\n```", "\npackage ", "\n// Example", "\nfunc main(", "\nfunc Test", "#END", "\n\n\n")
_PACKAGE_CLAUSE = re.compile(r"^[ \t]*package[ \t]+\w+", re.MULTILINE)


def as_main_package(response_text: str) -> str:
    """The response with every package clause read as `package main`, the extractor's anchor."""
    return _PACKAGE_CLAUSE.sub("package main", response_text)


def with_package(source: str, package: str) -> str:
    """The source with its (first) package clause naming the task's package: a wrong name is not
    what the task tests, so it costs nothing (the prompt names the package)."""
    return _PACKAGE_CLAUSE.sub(f"package {package}", source, count=1)


def as_response(file_name: str, source: str) -> str:
    """A raw response holding one file between markers, as a model is asked to answer."""
    return f"#START {file_name}#\n{source.rstrip()}\n#END {file_name}#\n"


class GoTask:
    """One task of a suite: an exam item with the `Exam` interface, max score 1."""

    max_score: float = 1.0

    def __init__(self, suite: GoTestSuite, task: Task) -> None:
        self.suite = suite
        self.task = task
        self.name = f"{suite.name}/{task.name}"
        self.expected_files = (task.file_name,)
        self.content_hints: dict[str, tuple[str, ...]] = {}

    @functools.cached_property
    def grader_version(self) -> str:
        """A hash of what grading this task reads: its hidden tests, package and race flag, the
        suite's prompt template and time limits, and the gotest grader. The reference, the known-bad
        and second solutions, titles and topics are left out, and so are the other tasks and the
        rest of exam.toml: adding a task, a topic or a second solution keeps stored grades current."""
        suite, task = self.suite, self.task
        code = [*(HERE / f for f in GRADER_FILES), *GUARD_FILES]
        files = grader_version_of(task.folder / TEST_FILE, suite.template_path, *code)
        fields = f"{task.package}\0{task.race}\0{suite.build_limits.wall_s}\0{suite.test_timeout_s}"
        return f"{suite.name}-" + hashlib.sha256(f"{files}\0{fields}".encode()).hexdigest()[:12]

    def hidden_source(self) -> str:
        """The hidden tests' source (never shown to a model: the qualification gate checks that the
        repair-turn feedback leaks none of it beyond what go test prints)."""
        return self.task.test_source()

    def prompt(self) -> str:
        """The suite's template filled with this task."""
        return self.suite.template().format(
            task=self.task.prompt(), file=self.task.file_name, package=self.task.package
        )

    def file_start(self) -> FileStart:
        """The completion prompt: the task's file start (`Task.file_start`) and COMPLETION_STOP."""
        return FileStart(self.task.file_name, self.task.file_start(), COMPLETION_STOP)

    def normalize_response(self, response_text: str) -> str:
        """The response as the extractor reads it: any package clause marks Go code here."""
        return as_main_package(response_text)

    def grade_files(self, extraction: Extraction) -> Grade:
        """Compile the file with the hidden tests, run them, one check per top-level test."""
        task = self.task
        source = extraction.files.get(task.file_name)
        if source is None:
            reason = extraction.problems.get(task.file_name, "not found in the response")
            return self._failed(Verdict.EXTRACT_FAIL, f"not extracted: {reason}", "")
        files = test_files(task.package, with_package(source, task.package), task.test_source(), TEST_MODULE)
        with Workspace() as ws:
            built = ws.build_test(
                TEST_DIR, files, module=TEST_MODULE, race=task.race, limits=self.suite.build_limits
            )
            if built.fault is not None:
                raise GraderFault(f"go test -c: {built.fault}")
            if built.binary is None:
                return self._failed(Verdict.COMPILE_FAIL, "build failed: " + built.reason, built.log)
            run = run_tests(
                ws, built.binary, task.test_names, race=task.race, test_timeout_s=self.suite.test_timeout_s
            )
        if run.fault:
            raise GraderFault(run.fault)
        checks = [Check(n, o.passed, 1 if o.passed else 0, 1, o.detail) for n, o in run.outcomes.items()]
        passed = sum(c.passed for c in checks)
        verdict = Verdict.OK if passed == len(checks) else Verdict.TEST_FAIL
        return self._grade(verdict, passed, checks, f"{run.runs} run(s) of the test binary")

    def _failed(self, verdict: Verdict, detail: str, log: str) -> Grade:
        checks = [Check(n, False, 0, 1, detail) for n in self.task.test_names]
        return self._grade(verdict, 0, checks, f"{detail}\n{log}")

    def _grade(self, verdict: Verdict, passed: int, checks: list[Check], log: str) -> Grade:
        return Grade(
            exam=self.name,
            score=share(passed, len(self.task.test_names)),
            max_score=self.max_score,
            compiled=verdict in {Verdict.OK, Verdict.TEST_FAIL},
            verdict=verdict,
            checks=checks,
            grader_version=self.grader_version,
            duration_s=0.0,
            log=log[-MAX_LOG_CHARS:],
        )

    def qualification_cases(self) -> list[QualificationCase]:
        """The reference and each alternative solution (every test passes), then each known-bad
        file (exactly its `fails` fail)."""
        cases = [self._correct_case("reference", self.task.reference(), "reference solution")]
        cases += [
            self._correct_case(f"alt/{alt.file.name}", alt.file.read_text(), alt.why) for alt in self.task.alt
        ]
        cases += [self._bad_case(bad) for bad in self.task.bad]
        return cases + hostile_cases(self.suite.manifest, self.task.name)

    def _correct_case(self, name: str, source: str, why: str) -> QualificationCase:
        checks = dict.fromkeys(self.task.test_names, True)
        return QualificationCase(name, as_response(self.task.file_name, source), 1.0, Verdict.OK, checks, why)

    def _bad_case(self, bad: KnownBad) -> QualificationCase:
        names = self.task.test_names
        checks = {n: n not in bad.fails for n in names}
        score = share(sum(checks.values()), len(names))
        verdict = Verdict.OK if all(checks.values()) else Verdict.TEST_FAIL
        return QualificationCase(
            bad.file.stem,
            as_response(self.task.file_name, bad.file.read_text()),
            score,
            verdict,
            checks,
            bad.why,
        )


def share(passed: int, total: int) -> float:
    """A task's score: the share of its tests passed, rounded to 4 places so sums compare exactly."""
    return round(passed / total, 4) if total else 0.0


class GoTestSuite:
    """An exam folder of Go tasks graded by hidden tests (manifest `grader = "gotest"`)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.name = manifest.name
        if len(manifest.prompts) != 1:
            raise ManifestError(
                f"{manifest.path}: a gotest exam has one prompt template, got {len(manifest.prompts)}"
            )
        self.template_path = manifest.folder / manifest.prompts[0]
        unknown = sorted(set(manifest.limits) - set(LIMIT_NAMES))
        if unknown:
            raise ManifestError(
                f"{manifest.path}: unknown [limits] {', '.join(unknown)}; gotest reads {', '.join(LIMIT_NAMES)}"
            )
        self.build_limits = BUILD_LIMITS.with_(wall_s=manifest.limits.get("build_s", BUILD_LIMITS.wall_s))
        self.test_timeout_s = manifest.limits.get("test_timeout_s", DEFAULT_TEST_TIMEOUT_S)
        tasks = [load_task(manifest.folder / "tasks" / item) for item in manifest.items]
        self.tasks = {t.name: GoTask(self, t) for t in tasks}
        if manifest.max_score != len(self.tasks):
            raise ManifestError(
                f"{manifest.path}: max_score is {manifest.max_score:g} but the exam has {len(self.tasks)} tasks (1 each)"
            )

    def template(self) -> str:
        """The prompt template: {task}, {file} and {package} are filled per task."""
        return self.template_path.read_text()

    def item(self, name: str) -> GoTask:
        """The task `name` (KeyError when there is none)."""
        return self.tasks[name]

    def derived_sets(self) -> dict[str, tuple[str, ...]]:
        """A set per difficulty (`easy`, `medium`, `hard`) and per topic (`concurrency`...) that
        some task has, and `quick` (about an hour of generation, exams.gotest.estimate), each in
        the manifest's item order: adding a task never edits a set."""
        sets: dict[str, tuple[str, ...]] = {QUICK_SET: quick_set([t.task for t in self.tasks.values()])}
        for key in (*DIFFICULTIES, *TOPICS):
            members = tuple(
                name for name, t in self.tasks.items() if key in (t.task.difficulty, *t.task.topics)
            )
            if members:
                sets[key] = members
        return sets
