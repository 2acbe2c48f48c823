"""An exam folder's manifest, `exam.toml`: what the exam is, and which grader grades it.

    name = "go-tasks"                 # the exam's name in sweep files, jobs and reports
    title = "..."                     # one line for `exams list` and reports
    grader = "gotest"                 # "gotest" (Go tasks, hidden go tests), or "module:ATTR" /
                                      # "file.py:ATTR" (ATTR: an Exam, or a callable(Manifest) -> Exam)
    max_score = 24                    # the full marks of one (model, seed), all items summed
    prompts = ["prompt.txt"]          # prompt file(s), relative to the folder
    items = ["lru", "roman"]          # optional: independent items, one job each (`<name>/<item>`)
    reference = ["reference/x.go"]    # reference solution file(s) or folder(s)
    known_bad = ["qualification.py"]  # known-bad solutions (or the module defining them)
    turns = 3                         # optional: the most turns a job may have (repair turns: after a
                                      # grade that did not pass, the exam's feedback and another try;
                                      # exams.feedback); default 1, at most MAX_TURNS
    [limits]                          # optional: the grader's time limits, seconds
    [sets]                            # optional: named subsets of items, e.g. demo = ["roman"]

Every folder also holds README.md (defines every check) and VALIDATION.md. `load_manifest`
checks all of it and raises ManifestError (an ExamError: an operator's mistake, printed as one
line) naming the file and the fix.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exams.types import ExamError, Verdict

MANIFEST_FILE = "exam.toml"
REQUIRED_FILES = ("README.md", "VALIDATION.md")
KEYS = {
    "name",
    "title",
    "grader",
    "max_score",
    "prompts",
    "items",
    "reference",
    "known_bad",
    "limits",
    "sets",
    "hostile",
    "turns",
}
MAX_TURNS = 5  # the most repair turns any manifest may allow
HOSTILE_KEYS = {"file", "item", "verdict", "score", "max_score", "why"}


class ManifestError(ExamError):
    """An exam folder's manifest or files are malformed: names the file and the fix."""


@dataclass(frozen=True)
class HostileAnswer:
    """A `[[hostile]]` entry: a raw response that attacks the grader, and the grade it must get.

    `verdicts`: the verdict values it may get (one, or several where the kernel decides, as for a
    fork loop); `score`: its exact score, or None when `max_score` bounds it instead.
    """

    file: Path
    item: str | None  # the item it answers (gotest exams), None for a one-item exam
    verdicts: tuple[str, ...]
    score: float | None
    max_score: float
    why: str


def _hostile(
    folder: Path, data: dict[str, Any], items: tuple[str, ...], where: str
) -> tuple[HostileAnswer, ...]:
    raw = data.get("hostile", [])
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ManifestError(f"{where}: `hostile` must be a list of [[hostile]] tables")
    known = {v.value for v in Verdict}
    answers = []
    for i, entry in enumerate(raw):
        at = f"{where}: hostile[{i}]"
        unknown = sorted(set(entry) - HOSTILE_KEYS)
        if unknown:
            raise ManifestError(
                f"{at}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(HOSTILE_KEYS))}"
            )
        file = _text(entry, "file", at)
        if not (folder / file).is_file():
            raise ManifestError(f"{at}: file {file} does not exist in {folder}")
        item = entry.get("item")
        if item is not None and item not in items:
            raise ManifestError(f"{at}: item {item!r} is not one of the exam's items")
        verdict = entry.get("verdict")
        verdicts = tuple(verdict) if isinstance(verdict, list) else (verdict,)
        if not verdicts or not all(isinstance(v, str) and v in known for v in verdicts):
            raise ManifestError(
                f"{at}: `verdict` must be one of {', '.join(sorted(known))} (or a list of them)"
            )
        score, bound = entry.get("score"), entry.get("max_score")
        if (score is None) == (bound is None) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (score, bound) if v is not None
        ):
            raise ManifestError(
                f"{at}: give a number as exactly one of `score` (exact) and `max_score` (a bound)"
            )
        answers.append(
            HostileAnswer(
                file=folder / file,
                item=item,
                verdicts=verdicts,
                score=None if score is None else float(score),
                max_score=float(score if score is not None else bound),
                why=_text(entry, "why", at),
            )
        )
    return tuple(answers)


@dataclass(frozen=True)
class Manifest:
    """A validated exam.toml and the folder it lives in."""

    folder: Path
    name: str
    title: str
    grader: str
    max_score: float
    prompts: tuple[str, ...]
    reference: tuple[str, ...]
    known_bad: tuple[str, ...]
    items: tuple[str, ...] = ()
    turns: int = 1  # the most turns a job of this exam may have (1: one generation, graded once)
    limits: Mapping[str, float] = field(default_factory=dict)
    sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hostile: tuple[HostileAnswer, ...] = ()  # known-hostile answers, with the grade each must get

    @property
    def path(self) -> Path:
        """The exam.toml file."""
        return self.folder / MANIFEST_FILE


def _strings(data: Mapping[str, Any], key: str, where: str, required: bool = True) -> tuple[str, ...]:
    value = data.get(key, None if required else [])
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v for v in value)
        or (required and not value)
    ):
        raise ManifestError(f"{where}: `{key}` must be a non-empty list of strings, got {value!r}")
    return tuple(value)


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f"{where}: `{key}` must be a non-empty string, got {value!r}")
    return value


def _existing(folder: Path, paths: tuple[str, ...], key: str, where: str) -> None:
    for rel in paths:
        if not (folder / rel).exists():
            raise ManifestError(f"{where}: `{key}` names {rel}, which does not exist in {folder}")


def _turns(data: Mapping[str, Any], where: str) -> int:
    turns = data.get("turns", 1)
    if isinstance(turns, bool) or not isinstance(turns, int) or not 1 <= turns <= MAX_TURNS:
        raise ManifestError(f"{where}: `turns` must be an integer from 1 to {MAX_TURNS}, got {turns!r}")
    return turns


def load_manifest(folder: Path) -> Manifest:
    """Read and check `folder/exam.toml` and the files it names."""
    where = str(folder / MANIFEST_FILE)
    try:
        data = tomllib.loads((folder / MANIFEST_FILE).read_text())
    except OSError as exc:
        raise ManifestError(f"{where}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{where}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ManifestError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KEYS))}"
        )
    name = _text(data, "name", where)
    if name != folder.name:
        raise ManifestError(f"{where}: name {name!r} must equal the folder's name {folder.name!r}")
    if not all(c.isalnum() or c in "-_" for c in name):
        raise ManifestError(f"{where}: name {name!r} may hold only letters, digits, - and _")
    max_score = data.get("max_score")
    if isinstance(max_score, bool) or not isinstance(max_score, int | float) or max_score <= 0:
        raise ManifestError(f"{where}: `max_score` must be a positive number, got {max_score!r}")
    prompts = _strings(data, "prompts", where)
    reference = _strings(data, "reference", where)
    known_bad = _strings(data, "known_bad", where)
    items = _strings(data, "items", where, required=False)
    for key, paths in (("prompts", prompts), ("reference", reference), ("known_bad", known_bad)):
        _existing(folder, paths, key, where)
    for required in REQUIRED_FILES:
        if not (folder / required).is_file():
            raise ManifestError(f"{where}: the exam folder needs {required} (`exams new` lays one out)")
    limits = data.get("limits", {})
    if not isinstance(limits, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in limits.values()
    ):
        raise ManifestError(
            f"{where}: [limits] must map names to positive numbers of seconds, got {limits!r}"
        )
    sets = data.get("sets", {})
    if not isinstance(sets, dict):
        raise ManifestError(f"{where}: [sets] must map set names to lists of items")
    for set_name in sets:
        members = _strings(sets, set_name, f"{where} [sets]")
        missing = [m for m in members if m not in items]
        if missing:
            raise ManifestError(f"{where}: set {set_name!r} names unknown item(s) {', '.join(missing)}")
    return Manifest(
        folder=folder,
        turns=_turns(data, where),
        name=name,
        title=_text(data, "title", where),
        grader=_text(data, "grader", where),
        max_score=float(max_score),
        prompts=prompts,
        reference=reference,
        known_bad=known_bad,
        items=items,
        limits={k: float(v) for k, v in limits.items()},
        sets={k: tuple(v) for k, v in sets.items()},
        hostile=_hostile(folder, data, items, where),
    )
