"""The field cases (`../shared/reference/field-cases/`, or QUANTSWEEP_FIELD_CASES): inputs built from
public bug reports, each with its right value in that folder's README."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.availability import require_service
from tests.support.paths import REPO_ROOT

FIELD_CASES = Path(
    os.environ.get("QUANTSWEEP_FIELD_CASES", REPO_ROOT.parent / "shared/reference/field-cases")
)


def field_case(name: str) -> str:
    """The case's text; missing, a failure in CI and a skip elsewhere."""
    path = FIELD_CASES / name
    if not path.is_file():
        require_service(f"field case {path}", FileNotFoundError("set QUANTSWEEP_FIELD_CASES"))
    return path.read_text(encoding="utf-8")
