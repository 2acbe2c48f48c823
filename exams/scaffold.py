"""`exams new NAME`: lay out a new exam folder that passes the qualification gate as it is.

The layout is a `gotest` exam with one example task (exams/gotest/template): a manifest, the
prompt template, README.md, VALIDATION.md, tasks/sum with its hidden tests, reference and
two known-bad solutions, and hostile/ with known-hostile answers to sum (fake pass lines, an exit
in init, its own TestMain, reads outside its run dir, writes in world-writable places, huge
output), each with the grade it must get in exam.toml's [[hostile]]. Edit it into your own tasks;
`exams verify --exam NAME` checks them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from exams.registry import forget_discovered, list_exams
from exams.types import ExamError

TEMPLATE = Path(__file__).parent / "gotest" / "template"
NAMED_FILES = ("exam.toml", "README.md", "VALIDATION.md")
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def create_exam(name: str, parent: Path) -> Path:
    """Create `parent/name` from the template; ExamError for a bad name, a clash or an existing folder."""
    if not _NAME.match(name):
        raise ExamError(
            f"exam name {name!r}: use lower-case letters, digits, - and _, starting with a letter"
        )
    if name in list_exams():
        raise ExamError(f"an exam named {name!r} already exists (`exams list`); choose another name")
    target = parent / name
    if target.exists():
        raise ExamError(f"{target} already exists; remove it or choose another name")
    if not parent.is_dir():
        raise ExamError(f"{parent} is not a directory; create it first or pass --dir")
    staging = parent / f".{name}.new"
    shutil.copytree(TEMPLATE, staging, ignore=shutil.ignore_patterns("__pycache__"))
    for file_name in NAMED_FILES:
        path = staging / file_name
        path.write_text(path.read_text().replace("{name}", name))
    staging.rename(target)  # all or nothing: no half-written exam is ever discovered
    forget_discovered()
    return target
