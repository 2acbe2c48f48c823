"""One task of a `gotest` exam: a folder holding its prompt, hidden tests, reference and known-bad files.

    tasks/<name>/task.toml      title, difficulty, tests (what it exercises), package, race,
                                topics (from TOPICS, one or more),
                                [[bad]] file / fails (the tests it must fail) / why,
                                [[alt]] file / why (how it differs from the reference)
    tasks/<name>/prompt.md      the task as the model reads it: the API to implement
    tasks/<name>/task_test.go   the hidden tests (package <package>_test); each top-level Test is a check
    tasks/<name>/reference.go   a solution passing every test
    tasks/<name>/bad/*.go       the known-bad solutions
    tasks/<name>/alt/*.go       second correct solutions, written differently from the reference: each
                                must pass every test too, or the tests check more than the prompt says
    tasks/<name>/start.go       optional: the start of the answer file for a completion prompt
                                (without it, derived from prompt.md: see `Task.file_start`)

`load_task(folder)` validates all of it and raises ManifestError naming the file and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exams.gotest.guard import TEST_FUNC
from exams.manifest import ManifestError

TEST_FILE = "task_test.go"
REFERENCE_FILE = "reference.go"
START_FILE = "start.go"
DIFFICULTIES = ("easy", "medium", "hard")
# What a task exercises; the fixed vocabulary of `topics` (each is also a set: `go-tasks:<topic>`).
TOPICS = (
    "concurrency",
    "context",
    "errors",
    "generics",
    "iterators",
    "parsing",
    "state-machines",
    "io",
    "collections",  # sort, slices and maps APIs
    "time",
    "data-structures",
    "strings",
    "algorithms",
)
_TEST_FUNC = re.compile(r"^func (Test[A-Z0-9_]\w*)\(t \*testing\.T\)", re.MULTILINE)
_PACKAGE = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True)
class KnownBad:
    """A wrong solution and the tests it must fail (every other test must pass)."""

    file: Path
    fails: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Alternative:
    """A second correct solution, structured differently from the reference: must pass every test."""

    file: Path
    why: str


@dataclass(frozen=True)
class Task:
    """A task's metadata and files."""

    name: str
    folder: Path
    title: str
    difficulty: str
    tests_what: str
    package: str
    race: bool
    test_names: tuple[str, ...]
    bad: tuple[KnownBad, ...]
    topics: tuple[str, ...] = ()
    alt: tuple[Alternative, ...] = ()

    @property
    def file_name(self) -> str:
        """The one file the model answers with, e.g. `wordfreq.go`."""
        return f"{self.package}.go"

    def prompt(self) -> str:
        """The task's own text (the exam's template wraps it)."""
        return (self.folder / "prompt.md").read_text().strip("\n")

    def file_start(self) -> str:
        """The first lines of the answer file a base model continues: `start.go` when the task has
        one, else prompt.md as the package's doc comment (its ```go blocks as indented code lines,
        as Go doc comments show code) followed by the package clause. Either way the imports and
        every body are the model's to write."""
        own = self.folder / START_FILE
        if own.is_file():
            return own.read_text()
        lines = [f"// Package {self.package}: {self.title}.", "//"]
        in_code = False
        for line in self.prompt().splitlines():
            if line.lstrip().startswith("```"):
                in_code = not in_code
                continue
            if in_code:
                lines.append("//\t" + line if line.strip() else "//")
            else:
                lines.append("// " + line if line.strip() else "//")
        return "\n".join(lines) + f"\npackage {self.package}\n\n"

    def test_source(self) -> str:
        """The hidden tests."""
        return (self.folder / TEST_FILE).read_text()

    def reference(self) -> str:
        """The reference solution."""
        return (self.folder / REFERENCE_FILE).read_text()


def _field(data: dict[str, object], key: str, kind: type, where: str) -> object:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ManifestError(f"{where}: `{key}` must be a {kind.__name__}, got {value!r}")
    return value


def _solution_file(folder: Path, raw: dict[str, object], at: str) -> Path:
    file = folder / str(_field(raw, "file", str, at))
    if not file.is_file():
        raise ManifestError(f"{at}: file {file} does not exist")
    return file


def _test_names(folder: Path, package: str) -> tuple[str, ...]:
    """The hidden tests' top-level test names, after checking the file's shape."""
    tests = (folder / TEST_FILE).read_text()
    if not re.search(rf"^package {package}_test$", tests, re.MULTILINE):
        raise ManifestError(
            f"{folder / TEST_FILE}: must be `package {package}_test` (hidden tests use the API only)"
        )
    names = tuple(_TEST_FUNC.findall(tests))
    if not names:
        raise ManifestError(f"{folder / TEST_FILE}: no `func TestX(t *testing.T)` found")
    if re.search(r"^func TestMain\(", tests, re.MULTILINE):
        raise ManifestError(
            f"{folder / TEST_FILE}: defines TestMain; the grader's own TestMain reports the results"
        )
    untracked = sorted(set(names) - {m.group(2) for m in TEST_FUNC.finditer(tests)})
    if untracked:
        raise ManifestError(
            f"{folder / TEST_FILE}: write `func {untracked[0]}(t *testing.T) {{` on one line, as gofmt does "
            "(the grader adds its result tracking on that line)"
        )
    return names


def load_task(folder: Path) -> Task:
    """Read and check one task folder."""
    where = str(folder / "task.toml")
    try:
        data = tomllib.loads((folder / "task.toml").read_text())
    except OSError as exc:
        raise ManifestError(f"{where}: cannot read ({exc.strerror}); every task folder needs one") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{where}: not valid TOML ({exc})") from None
    for name in ("prompt.md", TEST_FILE, REFERENCE_FILE):
        if not (folder / name).is_file():
            raise ManifestError(f"{folder}: missing {name}")
    package = str(_field(data, "package", str, where))
    if not _PACKAGE.match(package):
        raise ManifestError(f"{where}: package {package!r} must be a lower-case Go package name")
    difficulty = str(_field(data, "difficulty", str, where))
    if difficulty not in DIFFICULTIES:
        raise ManifestError(f"{where}: difficulty {difficulty!r} must be one of {', '.join(DIFFICULTIES)}")
    names = _test_names(folder, package)
    bads = []
    raw_bads = data.get("bad", [])
    if not isinstance(raw_bads, list) or len(raw_bads) < 2:
        raise ManifestError(f"{where}: needs at least two [[bad]] known-bad solutions")
    for i, raw in enumerate(raw_bads):
        at = f"{where}: bad[{i}]"
        file = _solution_file(folder, raw, at)
        fails = tuple(str(f) for f in _field(raw, "fails", list, at))  # type: ignore[attr-defined]
        unknown = [f for f in fails if f not in names]
        if not fails or unknown:
            raise ManifestError(
                f"{at}: `fails` must name tests of {TEST_FILE}; unknown: {unknown or 'empty list'}"
            )
        bads.append(KnownBad(file, fails, str(_field(raw, "why", str, at))))
    alts = []
    raw_alts = data.get("alt", [])
    if not isinstance(raw_alts, list):
        raise ManifestError(f"{where}: `alt` must be [[alt]] tables with file and why")
    for i, raw in enumerate(raw_alts):
        at = f"{where}: alt[{i}]"
        alts.append(Alternative(_solution_file(folder, raw, at), str(_field(raw, "why", str, at))))
    return Task(
        name=folder.name,
        folder=folder,
        title=str(_field(data, "title", str, where)),
        difficulty=difficulty,
        tests_what=str(_field(data, "tests", str, where)),
        package=package,
        race=bool(data.get("race", False)),
        test_names=names,
        bad=tuple(bads),
        topics=_topics(data, where),
        alt=tuple(alts),
    )


def _topics(data: dict[str, object], where: str) -> tuple[str, ...]:
    raw = data.get("topics", [])
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise ManifestError(f"{where}: `topics` must be a list of strings from: {', '.join(TOPICS)}")
    for topic in raw:
        if topic not in TOPICS:
            raise ManifestError(f"{where}: unknown topic {topic!r}; use one of: {', '.join(TOPICS)}")
    return tuple(raw)
