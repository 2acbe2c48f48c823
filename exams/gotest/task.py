"""One task of a `gotest` exam: a folder holding its prompt, hidden tests, reference and known-bad files.

    tasks/<name>/task.toml      title, difficulty, tests (what it exercises), package, race,
                                [[bad]] file / fails (the tests it must fail) / why
    tasks/<name>/prompt.md      the task as the model reads it: the API to implement
    tasks/<name>/task_test.go   the hidden tests (package <package>_test); each top-level Test is a check
    tasks/<name>/reference.go   a solution passing every test
    tasks/<name>/bad/*.go       the known-bad solutions
    tasks/<name>/start.go       optional: the start of the answer file for a completion prompt
                                (without it, derived from prompt.md: see `Task.file_start`)

`load_task(folder)` validates all of it and raises ManifestError naming the file and the fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exams.manifest import ManifestError

TEST_FILE = "task_test.go"
REFERENCE_FILE = "reference.go"
START_FILE = "start.go"
DIFFICULTIES = ("easy", "medium", "hard")
_TEST_FUNC = re.compile(r"^func (Test[A-Z0-9_]\w*)\(t \*testing\.T\)", re.MULTILINE)
_PACKAGE = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True)
class KnownBad:
    """A wrong solution and the tests it must fail (every other test must pass)."""

    file: Path
    fails: tuple[str, ...]
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
    tests = (folder / TEST_FILE).read_text()
    if not re.search(rf"^package {package}_test$", tests, re.MULTILINE):
        raise ManifestError(
            f"{folder / TEST_FILE}: must be `package {package}_test` (hidden tests use the API only)"
        )
    names = tuple(_TEST_FUNC.findall(tests))
    if not names:
        raise ManifestError(f"{folder / TEST_FILE}: no `func TestX(t *testing.T)` found")
    bads = []
    raw_bads = data.get("bad", [])
    if not isinstance(raw_bads, list) or len(raw_bads) < 2:
        raise ManifestError(f"{where}: needs at least two [[bad]] known-bad solutions")
    for i, raw in enumerate(raw_bads):
        at = f"{where}: bad[{i}]"
        file = folder / str(_field(raw, "file", str, at))
        if not file.is_file():
            raise ManifestError(f"{at}: file {file} does not exist")
        fails = tuple(str(f) for f in _field(raw, "fails", list, at))  # type: ignore[attr-defined]
        unknown = [f for f in fails if f not in names]
        if not fails or unknown:
            raise ManifestError(
                f"{at}: `fails` must name tests of {TEST_FILE}; unknown: {unknown or 'empty list'}"
            )
        bads.append(KnownBad(file, fails, str(_field(raw, "why", str, at))))
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
    )
