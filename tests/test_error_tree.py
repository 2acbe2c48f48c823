"""The error tree drawn in scheduler/core/errors.py is the code's: every exception class of the
three packages appears in it, under its base (in the manner of httpx's tests/test_exported_members.py).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import exams
import scheduler
import worker
from scheduler.core import errors

PACKAGES = (scheduler, worker, exams)
LINE = re.compile(r"^(?P<indent>[ │├└─]*?)(?P<name>[A-Z]\w+)\s")


def drawn_tree() -> dict[str, str | None]:
    """Every class in the docstring's drawings -> the class drawn above it (None for a root)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for raw in (errors.__doc__ or "").splitlines():
        if not raw.startswith("    ") or not raw.strip():
            stack = [] if not raw.startswith("    ") else stack
            continue
        match = LINE.match(raw[4:])
        if match is None:
            continue
        column = len(match["indent"])
        while stack and stack[-1][0] >= column:
            stack.pop()
        parents[match["name"]] = stack[-1][1] if stack else None
        stack.append((column, match["name"]))
    return parents


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of scheduler, worker or exams."""
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        names = [package.__name__] + [
            m.name
            for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
            if m.name.split(".")[-1] != "__main__"
        ]
        for name in names:
            module = importlib.import_module(name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == name:
                    found[obj.__name__] = obj
    return found


def test_every_exception_class_is_drawn_under_its_base() -> None:
    tree = drawn_tree()
    classes = exception_classes()
    assert len(classes) > 20, "the walk found too few classes to be looking at the packages"
    missing = sorted(set(classes) - set(tree))
    assert not missing, f"exception classes missing from scheduler/core/errors.py's tree: {missing}"
    stale = sorted(set(tree) - set(classes))
    assert not stale, f"drawn in scheduler/core/errors.py but defined nowhere: {stale}"
    for name, cls in classes.items():
        parent = tree[name]
        ours = [b for b in cls.__bases__ if b.__name__ in classes]
        if parent is None:
            assert not ours, f"{name} is drawn as a root but derives from {ours[0].__name__}"
        else:
            assert [b.__name__ for b in ours] == [parent], (
                f"{name} is drawn under {parent}, derives from {ours}"
            )
