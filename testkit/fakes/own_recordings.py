"""Responses of our own making for the FAKE llama-swap to replay, so the client, fleet and
exactly-once tests need nothing outside the repo.

They are the exams' qualification cases (`exams.registry.QualificationCase`: the reference
solutions and the known-bad ones, each a whole raw response, markers and fences included), laid
out like the article's published results (``exam_<exam>/<model>/seed<S>/response.txt``, and a
``result.json`` with the completion token count and the case's expected score as the publisher's
``eval``), so a replay grades to a known verdict and the folder imports as published results
(`scheduler import-article`) for the report, export and regrade tests.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import exams
from exams.registry import QualificationCase

from .recorded_responses import CHARS_PER_TOKEN

# (exam, model, seed) -> the qualification case replayed for it: each model answers right for
# one seed and wrong, in a known way, for the others.
RECORDINGS: dict[tuple[str, str, int], str] = {
    ("v1", "gpt-oss-20b", 42): "reference",
    ("v1", "gpt-oss-20b", 123): "wordfreq_ascending",
    ("v1", "gpt-oss-20b", 456): "factorial_wrong_value",
    ("v1", "gemma4-26b-q4km", 42): "reference_in_fences",
    ("v1", "gemma4-26b-q4km", 123): "filetreewalk_ascending",
    ("v1", "gemma4-26b-q4km", 456): "factorial_panics",
    ("v2", "gpt-oss-20b", 42): "reference",
    ("v2", "gpt-oss-20b", 123): "evicts_oldest",
    ("v2", "gemma4-26b-q4km", 42): "baseline",
    ("v1", "gemma4-26b-mxfp4", 42): "reference",
    ("v1", "gemma4-26b-mxfp4", 123): "wordfreq_top_nine",
    ("v2", "gemma4-26b-mxfp4", 42): "drops_newest",
}


def write_recordings(root: Path) -> Path:
    """Write every recording under `root`; return `root`."""
    for (exam, model, seed), case_name in RECORDINGS.items():
        cases = {c.name: c for c in exams.get_exam(exam).qualification_cases()}
        text = cases[case_name].response_text
        folder = root / f"exam_{exam}" / model / f"seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "response.txt").write_text(text, encoding="utf-8")
        tokens = max(1, len(text) // CHARS_PER_TOKEN)
        result = {
            "case": case_name,
            "model": model,
            "tokens": tokens,
            "tps": 50.0,
            "wall_s": tokens / 50.0,
            "eval": published_eval(exam, cases[case_name]),
        }
        (folder / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return root


def published_eval(exam: str, case: QualificationCase) -> dict[str, Any]:
    """The case's expected grade in the article's `eval` form: `{"score", "max", "summary"}`.

    v1's summary gives points per program (`wordfreq:3/5`; each known-bad case breaks one program),
    v2's one PASS or FAIL per test (`TestScenario/OnlineFlow:PASS`).
    """
    checks = case.expected_checks
    if exam == "v2":
        summary = " ".join(f"TestScenario/{name}:{'PASS' if ok else 'FAIL'}" for name, ok in checks.items())
        return {"score": case.expected_score, "max": 10, "summary": summary}
    parts = []
    for program in ("factorial", "wordfreq", "filetreewalk"):
        intact = all(ok for name, ok in checks.items() if name.startswith(f"{program}."))
        points = 5 if intact else 5 - (15 - case.expected_score)
        detail = "" if checks.get(f"{program}.build", True) else "(build-fail)"
        parts.append(f"{program}:{points:g}/5{detail}")
    return {"score": case.expected_score, "max": 15, "summary": " ".join(parts)}


@functools.cache
def own_recordings_dir() -> Path:
    """This process's copy of the recordings, written once and removed at exit."""
    root = Path(tempfile.mkdtemp(prefix="quantsweep-recordings-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return write_recordings(root)


# Recorded two-turn conversations (the repair-turn tests and the chaos suite with turns): the task,
# then per seed the qualification case answered on each turn.
TURN_TASK = "go-tasks/reverse"
TURN_CONVERSATIONS: dict[int, tuple[str, ...]] = {
    seed: ("bytes", "reference") if seed % 2 else ("keeps_punctuation", "bytes") for seed in range(1, 11)
}


def write_turn_recordings(root: Path, model: str) -> Path:
    """Write the recorded conversations of `model` under `root` (one exam, `exam_go-tasks`, so every
    request replays them); return `root`."""
    cases = {c.name: c for c in exams.get_exam(TURN_TASK).qualification_cases()}
    for seed, turns in TURN_CONVERSATIONS.items():
        folder = root / "exam_go-tasks" / model / f"seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        for number, case_name in enumerate(turns, 1):
            name = "response.txt" if number == 1 else f"turn{number}.txt"
            (folder / name).write_text(cases[case_name].response_text, encoding="utf-8")
    return root
