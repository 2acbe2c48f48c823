"""What the control plane needs to know of the exams: names, the jobs an entry stands for, prompts.

A sweep file's `exams` entry is an exam (`v1`; `go-tasks`: every one of its items), an item
(`go-tasks/lru`) or a named set of items (`go-tasks:demo`). A job's exam is always gradable on its
own: `v1` or `go-tasks/lru`; `exams.registry.exam_of` maps an item back to its exam.
"""

from __future__ import annotations

from collections.abc import Iterable

from exams.registry import (
    ITEM_SEPARATOR,
    SET_SEPARATOR,
    ExamPrompt,
    exam_prompt,
    exam_sets,
    get_manifest,
    job_exams,
    list_exams,
)
from exams.types import PromptStyle


def known_exams() -> list[str]:
    """Every valid sweep entry: exams, then their sets, then their items."""
    names = list_exams()
    manifests = [get_manifest(n) for n in names]
    sets = [f"{m.name}{SET_SEPARATOR}{s}" for m in manifests for s in exam_sets(m.name)]
    items = [f"{m.name}{ITEM_SEPARATOR}{i}" for m in manifests for i in m.items]
    return [*names, *sets, *items]


def expand_exams(entries: Iterable[str]) -> list[str]:
    """The job exams of a sweep's entries, in order, each once."""
    seen: dict[str, None] = {}
    for entry in entries:
        seen.update(dict.fromkeys(job_exams(entry)))
    return list(seen)


def prompt_text(exam: str, style: PromptStyle = PromptStyle.CHAT) -> ExamPrompt:
    """The prompt a model of `style` is given for a job's `exam` (part of a job's identity through its hash)."""
    return exam_prompt(exam, style)
