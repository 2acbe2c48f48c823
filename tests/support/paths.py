"""Folders the tests read or write, found from this file so a test module's own place never matters."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STREAMS_DIR = Path(__file__).resolve().parent / "streams"  # recorded server streams (SSE bodies, texts)
ARTIFACTS_DIR = REPO_ROOT / "artifacts"  # what tests keep for a person to look at (screenshots, reports)
