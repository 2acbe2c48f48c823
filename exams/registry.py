"""Which exams exist, and what an exam must provide.

An exam is a folder with a manifest (`exam.toml`, see exams.manifest): the packaged ones beside
this module (v1, v2, go-tasks) and any under EXAMS_DIR (one or more folders, `:`-separated).
The manifest's `grader` builds the object that grades it: an `Exam` (below), or for an exam of
items (go-tasks) an `ExamSuite` whose items are Exams named `<exam>/<item>`, one job each.

    list_exams() -> list[str]          exam names, packaged first, then EXAMS_DIR's, each sorted
    get_exam("v1") -> Exam             also "go-tasks/lru"; UnknownExamError for unknown names
    job_exams("go-tasks") -> [...]     what a sweep's exam entry runs: "go-tasks/<item>" per item
                                       ("go-tasks:demo": a named set; "v1": itself)
    exam_sets("go-tasks") -> {...}     its named sets: the manifest's [sets] and those its grader
                                       derives from its items (go-tasks: by difficulty and topic)
    get_manifest("v1") -> Manifest     ManifestError for a malformed folder
    exam_prompt("go-tasks/lru", style) -> ExamPrompt   what a job of that prompt style sends
    grader_version_of(*paths)          a short hash of grader files: bump-free versioning
    file_apis(exam) -> {file: FileApi}  what each expected file declares (package, identifiers):
                                       the exam's own `api` (DeclaresApi), else read from its
                                       reference solution; extraction prefers the block declaring it
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast, runtime_checkable

from exams.extract import Extraction, FileApi, extract_files
from exams.gosource import scan
from exams.manifest import MANIFEST_FILE, Manifest, ManifestError, load_manifest
from exams.types import Grade, PromptStyle, UnknownExamError, Verdict

PACKAGED_DIR = Path(__file__).parent
EXAMS_DIR_ENV = "EXAMS_DIR"
BUILTIN_GRADERS = {"gotest": "exams.gotest:GoTestSuite"}
SET_SEPARATOR = ":"
ITEM_SEPARATOR = "/"
SHARED_GRADER_FILES = ("extract.py", "gosource.py", "harmony.py", "golang.py", "types.py", "sandbox")


@dataclass(frozen=True)
class QualificationCase:
    """A response with a known right grade: the reference solution or a known-bad one."""

    name: str  # e.g. "reference", "wordfreq_ascending"
    response_text: str  # a whole raw response, markers and all (graded through extraction)
    expected_score: float
    expected_verdict: Verdict
    expected_checks: dict[str, bool] = field(default_factory=dict)  # check name -> passed; all listed
    why: str = ""  # what the case is wrong about, in a few words
    # A hostile answer may be bounded rather than exact: any of these verdicts, a score up to this.
    allowed_verdicts: tuple[Verdict, ...] = ()
    max_expected_score: float | None = None


def hostile_cases(manifest: Manifest, item: str | None = None) -> list[QualificationCase]:
    """The manifest's `[[hostile]]` answers for `item` (None: a one-item exam) as qualification cases."""
    cases = []
    for answer in manifest.hostile:
        if answer.item != item:
            continue
        verdicts = tuple(Verdict(v) for v in answer.verdicts)
        cases.append(
            QualificationCase(
                "hostile:" + answer.file.stem,
                answer.file.read_text(),
                answer.max_score,
                verdicts[0],
                why=answer.why,
                allowed_verdicts=verdicts,
                max_expected_score=None if answer.score is not None else answer.max_score,
            )
        )
    return cases


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


@runtime_checkable
class NormalizesResponse(Protocol):
    """An exam that rewrites a raw response before extraction (gotest: any package clause counts)."""

    def normalize_response(self, response_text: str) -> str:
        """The response as the extractor should read it."""
        ...


@dataclass(frozen=True)
class FileStart:
    """A completion prompt: the first lines of an exam's one answer file, for a base model to continue.

    Base models are evaluated this way in HumanEval, MultiPL-E and bigcode's evaluation harness:
    the prompt is the start of the source file (signatures and doc comments), the model writes
    the rest, and the answer graded is the prompt followed by the model's continuation."""

    file_name: str  # the answer file, e.g. `lru.go`
    text: str  # its first lines: the prompt of /v1/completions, graded with the continuation after it
    stop: tuple[str, ...]  # strings that end the continuation (the server's `stop`; not part of the file)


@runtime_checkable
class CompletesFile(Protocol):
    """An exam a base model can take as a plain completion (a catalog entry's `prompt_style: completion`)."""

    def file_start(self) -> FileStart:
        """The start of the answer file and where the model's continuation stops."""
        ...


@dataclass(frozen=True)
class ExamPrompt:
    """What a job of one exam sends: completion only where the exam declares a file start, else chat."""

    style: PromptStyle
    text: str  # the user turn (chat) or the start of the answer file (completion)
    stop: tuple[str, ...] = ()


@runtime_checkable
class DeclaresApi(Protocol):
    """An exam that names what each expected file must declare, for extraction to tell the
    answer from an example or a test block (without it, `file_apis` reads its reference)."""

    @property
    def api(self) -> Mapping[str, FileApi]:
        """Expected file name -> its package and top-level identifiers."""
        ...


@runtime_checkable
class ExamSuite(Protocol):
    """An exam of independent items, each graded as an Exam of its own."""

    name: str

    def item(self, name: str) -> Exam:
        """The item `name`; KeyError when there is none."""
        ...


@runtime_checkable
class DerivesSets(Protocol):
    """An exam suite that names sets of its items from what they say of themselves."""

    def derived_sets(self) -> dict[str, tuple[str, ...]]:
        """Set name -> items, in the manifest's item order (e.g. `hard`, `concurrency`)."""
        ...


def _exam_roots() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(EXAMS_DIR_ENV, "").split(os.pathsep) if p]
    return [PACKAGED_DIR, *extra]


@functools.cache
def _discover(roots: tuple[Path, ...]) -> dict[str, Manifest]:
    found: dict[str, Manifest] = {}
    for root in roots:
        if not root.is_dir():
            raise ManifestError(
                f"{EXAMS_DIR_ENV}: {root} is not a directory; set it to folders holding exam folders"
            )
        for manifest_path in sorted(root.glob(f"*/{MANIFEST_FILE}")):
            manifest = load_manifest(manifest_path.parent)
            if manifest.name in found:
                raise ManifestError(
                    f"exam {manifest.name!r} is defined twice: {found[manifest.name].folder} and {manifest.folder}; rename one"
                )
            found[manifest.name] = manifest
    return found


def forget_discovered() -> None:
    """Read the exam folders again at the next look-up (after an exam was added)."""
    _discover.cache_clear()


def manifests() -> dict[str, Manifest]:
    """Every exam folder's manifest by exam name (packaged, then EXAMS_DIR)."""
    return _discover(tuple(_exam_roots()))


def get_manifest(name: str) -> Manifest:
    """The manifest of exam `name` (no item part); UnknownExamError when there is none."""
    found = manifests()
    if name not in found:
        raise UnknownExamError(f"unknown exam {name!r}: choose one of {', '.join(found)} (`exams list`)")
    return found[name]


def _import_attr(manifest: Manifest) -> object:
    spec = BUILTIN_GRADERS.get(manifest.grader, manifest.grader)
    where, _, attr = spec.partition(":")
    if not where or not attr:
        raise ManifestError(
            f"{manifest.path}: grader {manifest.grader!r} must be gotest, module:ATTR or file.py:ATTR"
        )
    try:
        if where.endswith(".py"):
            file_spec = importlib.util.spec_from_file_location(
                f"quantsweep_exam_{manifest.name.replace('-', '_')}", manifest.folder / where
            )
            if file_spec is None or file_spec.loader is None:
                raise ManifestError(f"{manifest.path}: grader file {where} cannot be loaded")
            module = importlib.util.module_from_spec(file_spec)
            file_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except (ImportError, OSError) as exc:
        raise ManifestError(f"{manifest.path}: grader {spec!r} does not import: {exc}") from exc
    if not hasattr(module, attr):
        raise ManifestError(f"{manifest.path}: grader module {where} has no {attr!r}")
    return getattr(module, attr)


@functools.cache
def _grader(name: str, folder: Path) -> Exam | ExamSuite:
    manifest = get_manifest(name)
    obj = _import_attr(manifest)
    if not isinstance(obj, Exam | ExamSuite) and callable(obj):
        obj = cast(Callable[[Manifest], object], obj)(manifest)
    if manifest.items:
        if not isinstance(obj, ExamSuite):
            raise ManifestError(f"{manifest.path}: an exam with items needs a grader giving an ExamSuite")
        return obj
    if not isinstance(obj, Exam):
        raise ManifestError(
            f"{manifest.path}: grader {manifest.grader!r} gives no object with the Exam interface"
        )
    if obj.max_score != manifest.max_score:
        raise ManifestError(
            f"{manifest.path}: max_score {manifest.max_score:g} but the grader scores out of {obj.max_score:g}"
        )
    return obj


def list_exams() -> list[str]:
    """Names of every exam folder found."""
    return list(manifests())


def get_exam(name: str) -> Exam:
    """The gradable exam `name` (`v1`, or an item such as `go-tasks/lru`); UnknownExamError otherwise."""
    exam_name, _, item = name.partition(ITEM_SEPARATOR)
    manifest = get_manifest(exam_name)
    grader = _grader(exam_name, manifest.folder)
    if not manifest.items:
        if item:
            raise UnknownExamError(f"exam {exam_name!r} has no items; name it alone")
        return cast(Exam, grader)
    if not item:
        raise UnknownExamError(
            f"exam {exam_name!r} is {len(manifest.items)} items graded one by one: name one, "
            f"e.g. {exam_name}{ITEM_SEPARATOR}{manifest.items[0]}"
        )
    if item not in manifest.items:
        raise UnknownExamError(f"exam {exam_name!r} has no item {item!r}; items: {', '.join(manifest.items)}")
    return cast(ExamSuite, grader).item(item)


def exam_sets(name: str) -> dict[str, tuple[str, ...]]:
    """The named sets of exam `name`: its manifest's [sets], then those its grader derives.

    ManifestError when a [sets] name is also a derived one (the two would mean different items).
    """
    manifest = get_manifest(name)
    sets = dict(manifest.sets)
    if not manifest.items:
        return sets
    grader = _grader(name, manifest.folder)
    derived = grader.derived_sets() if isinstance(grader, DerivesSets) else {}
    clash = sorted(set(sets) & set(derived))
    if clash:
        raise ManifestError(
            f"{manifest.path}: [sets] {', '.join(clash)} is also a set derived from the items (by difficulty or topic); rename it"
        )
    return sets | derived


def job_exams(entry: str) -> list[str]:
    """The gradable exams a sweep's `exams` entry stands for (see the module docstring)."""
    if SET_SEPARATOR in entry:
        exam_name, _, set_name = entry.partition(SET_SEPARATOR)
        sets = exam_sets(exam_name)
        if set_name not in sets:
            choices = ", ".join(sorted(sets)) or "none"
            raise UnknownExamError(f"exam {exam_name!r} has no set {set_name!r}; sets: {choices}")
        return [f"{exam_name}{ITEM_SEPARATOR}{i}" for i in sets[set_name]]
    if ITEM_SEPARATOR in entry:
        get_exam(entry)
        return [entry]
    manifest = get_manifest(entry)
    return [f"{entry}{ITEM_SEPARATOR}{i}" for i in manifest.items] if manifest.items else [entry]


def exam_prompt(name: str, style: PromptStyle | str) -> ExamPrompt:
    """The prompt a model of `style` is given for exam `name`: its file start for `completion` when
    the exam declares one (CompletesFile), else its chat prompt (the style then recorded is chat)."""
    exam = get_exam(name)
    if PromptStyle(style) is PromptStyle.COMPLETION and isinstance(exam, CompletesFile):
        start = exam.file_start()
        return ExamPrompt(PromptStyle.COMPLETION, start.text, start.stop)
    return ExamPrompt(PromptStyle.CHAT, exam.prompt())


def exam_of(job_exam: str) -> str:
    """The exam a job's exam id belongs to: `go-tasks` for `go-tasks/lru`, `v1` for `v1`."""
    return job_exam.partition(ITEM_SEPARATOR)[0]


def grader_version_of(*paths: Path) -> str:
    """A 12-hex-digit hash of the given files and directories (and the shared grading code)."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    roots = [*paths, *(here / f for f in SHARED_GRADER_FILES)]
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            # exam.toml is metadata; a grader that reads limits from it names it explicitly.
            if (
                "__pycache__" in path.parts
                or path.suffix in {".pyc", ".md"}
                or (root.is_dir() and path.name == MANIFEST_FILE)
            ):
                continue
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


_apis: dict[tuple[str, str], dict[str, FileApi]] = {}


def file_apis(exam: Exam) -> dict[str, FileApi]:
    """What each of the exam's expected files declares: its own `api` when it has one, else the
    package and top-level names of its reference solution (`qualification_cases()`'s
    "reference"); {} when it has neither. Read once per exam and grader version."""
    if isinstance(exam, DeclaresApi):
        return dict(exam.api)
    key = (exam.name, exam.grader_version)
    if key not in _apis:
        reference = next((c for c in exam.qualification_cases() if c.name == "reference"), None)
        apis: dict[str, FileApi] = {}
        if reference is not None:
            extraction = extract_files(
                reference.response_text, exam.expected_files, content_hints=exam.content_hints
            )
            for name, source in extraction.files.items():
                found = scan(source)
                apis[name] = FileApi(found.programs[0].package, tuple(sorted(found.declared - {"init", "_"})))
        _apis[key] = apis
    return _apis[key]
