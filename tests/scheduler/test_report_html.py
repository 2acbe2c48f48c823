"""The HTML report renders in headless Chromium; a screenshot is kept under artifacts/."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from scheduler.settings import Settings
from tests.support.paths import ARTIFACTS_DIR as ARTIFACTS
from tests.support.reporting import RECORDED, load_recorded
from tests.support.scheduler_cli import run_cli

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _screenshot(tmp_path: Path, page: Path, shot: Path) -> Path:
    shot.unlink(missing_ok=True)
    result = _run_chromium(tmp_path, "--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert _png_size(shot) == (1280, 2400)
    return shot


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(settings: Settings, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    load_recorded(settings)
    page = tmp_path / "recorded.html"
    status, _, err = run_cli(["report", "--sweep", RECORDED, "--format", "html", "--out", str(page)], capsys)
    assert status == 0, err
    html = page.read_text()
    assert "<script" not in html and "http" not in html.split("<body>", 1)[1].replace('xmlns="http', "")

    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 6  # 3 plots for each exam
    for table_id in ("exam-v1", "exam-v2", "quant-gemma4-26b", "outcomes", "checks-v2"):
        assert f'id="{table_id}"' in dom.stdout
    assert "Gemma 4 26B MXFP4" in dom.stdout and "12–15" in dom.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    shot = _screenshot(tmp_path, page, ARTIFACTS / "report_recorded.png")
    # A blank page of the same size compresses to almost nothing; a drawn one does not.
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>")
    blank = _screenshot(tmp_path, empty, tmp_path / "blank.png")
    assert shot.stat().st_size > 10 * blank.stat().st_size, (shot.stat().st_size, blank.stat().st_size)
