"""Start and drive a FAKE llama-swap subprocess from tests and benches."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .own_recordings import own_recordings_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 20.0


@dataclass
class FakeLlamaSwapProcess:
    """A running fake llama-swap: its URL, its process, and its /fake/ test hooks."""

    url: str
    process: subprocess.Popen[bytes]
    models: tuple[str, ...]

    def stats(self) -> dict[str, Any]:
        """Loads per model, load events and the request log."""
        return dict(httpx.get(f"{self.url}/fake/stats", timeout=10).json())

    def loads(self) -> dict[str, int]:
        """How many times each model was loaded."""
        return dict(self.stats()["loads"])

    def reset(self) -> None:
        """Clear the counters."""
        httpx.post(f"{self.url}/fake/reset", timeout=10).raise_for_status()

    def fail_next(self, mode: str, count: int = 1) -> None:
        """Make the next count chat requests fail: "500", "hang" or "drop"."""
        httpx.post(
            f"{self.url}/fake/fail", json={"mode": mode, "count": count}, timeout=10
        ).raise_for_status()

    def stop(self) -> None:
        """Terminate the process and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def start_fake_llama_swap(
    models: Sequence[str],
    *,
    load_time_s: float = 0.2,
    decode_tps: float = 500.0,
    extra_args: Sequence[str] = (),
    replay: Path | None = None,
    port: int = 0,
) -> FakeLlamaSwapProcess:
    """Start a fake llama-swap on `port` (0: a free one) and wait until it listens; it replays
    `replay` (the article's layout), by default the responses of our own making (`own_recordings`)."""
    cmd = [
        sys.executable,
        "-m",
        "testkit.fakes.fake_llama_swap",
        "--port",
        str(port),
        "--models",
        ",".join(models),
        "--load-time-s",
        str(load_time_s),
        "--decode-tps",
        str(decode_tps),
        *extra_args,
    ]
    cmd += ["--replay", str(own_recordings_dir() if replay is None else replay)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    # Its own process group, so a bench can kill it (and only it) however the bench ends.
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, env=env, start_new_session=True)
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout=START_TIMEOUT_S)
    line = proc.stdout.readline().decode() if ready else ""
    if "listening on " not in line:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"fake llama-swap did not start (exit {proc.poll()}): {line!r}")
    return FakeLlamaSwapProcess(
        url=line.split("listening on ", 1)[1].strip(), process=proc, models=tuple(models)
    )
