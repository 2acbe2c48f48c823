"""Which exams exist, and what an exam must provide.

An exam is a package `exams.<name>` exposing `EXAM`, an object satisfying
`Exam` (below). To register a new exam, add its name to `EXAM_PACKAGES`; a
package that does not exist yet is skipped by `list_exams()` and reported as
unknown by `get_exam()`.

    get_exam("v1") -> Exam          raises UnknownExamError (an ExamError) for unknown names
    list_exams() -> list[str]       the registered exams that import
    grader_version_of(*paths)       a short hash of grader files: bump-free versioning
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from exams.extract import Extraction
from exams.types import Grade, UnknownExamError, Verdict

EXAM_PACKAGES: dict[str, str] = {"v1": "exams.v1", "v2": "exams.v2"}
SHARED_GRADER_FILES = ("extract.py", "golang.py", "types.py", "sandbox")


@dataclass(frozen=True)
class QualificationCase:
    """A response with a known right grade: the reference solution or a known-bad one."""

    name: str  # e.g. "reference", "wordfreq_ascending"
    response_text: str  # a whole raw response, markers and all (graded through extraction)
    expected_score: float
    expected_verdict: Verdict
    expected_checks: dict[str, bool] = field(default_factory=dict)  # check name -> passed; all listed
    why: str = ""  # what the case is wrong about, in a few words


@runtime_checkable
class Exam(Protocol):
    """What every exam provides to `exams.grade`, `exams verify` and the CLI."""

    name: str
    max_score: float
    expected_files: tuple[str, ...]
    content_hints: dict[str, tuple[str, ...]]  # for extraction of unmarked code blocks

    @property
    def grader_version(self) -> str:
        """Changes whenever grading can change (a hash of the grader's files)."""
        ...

    def prompt(self) -> str:
        """The exact prompt sent to the model."""
        ...

    def grade_files(self, extraction: Extraction) -> Grade:
        """Grade extracted files (some may be missing: see extraction.problems)."""
        ...

    def qualification_cases(self) -> list[QualificationCase]:
        """The reference solution and the known-bad ones, with their expected grades."""
        ...


def list_exams() -> list[str]:
    """Names of the registered exams whose package exists."""
    names = []
    for name in EXAM_PACKAGES:
        try:
            get_exam(name)
        except UnknownExamError:
            continue
        names.append(name)
    return names


@functools.cache
def get_exam(name: str) -> Exam:
    """The exam registered as `name`; UnknownExamError when there is none."""
    package = EXAM_PACKAGES.get(name)
    if package is None:
        raise UnknownExamError(f"unknown exam {name!r}: choose one of {', '.join(EXAM_PACKAGES)}")
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name and package.startswith(exc.name):
            raise UnknownExamError(f"exam {name!r} is registered but {package} is not installed") from exc
        raise
    exam = getattr(module, "EXAM", None)
    if not isinstance(exam, Exam):
        raise UnknownExamError(f"exam {name!r}: {package} has no EXAM object with the Exam interface")
    return exam


def grader_version_of(*paths: Path) -> str:
    """A 12-hex-digit hash of the given files and directories (and the shared grading code)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    roots = [*paths, *(here / f for f in SHARED_GRADER_FILES)]
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            if "__pycache__" in path.parts or path.suffix in {".pyc", ".md"}:
                continue
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]

