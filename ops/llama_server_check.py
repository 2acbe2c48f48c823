#!/usr/bin/env python3
"""Smoke check of a llama-server binary: start it on the demo model and decode a few tokens.

    python ops/llama_server_check.py /path/to/llama-server [--tokens 8] [--timeout-s 180] [--model GGUF]

ops/install.sh runs it after it builds or finds llama-server, so a binary that cannot run on this
machine (built for CPU instructions it lacks, a missing shared library) stops the install with one
line naming the cause and the fix, instead of stopping the demo twelve minutes later. On success it
prints one line: the binary, its build (`/props` `build_info`), and the tokens decoded with their
rate (llama-server's own `timings.predicted_per_second`, tokens per second). Exit status: 0 when the
server decoded, 2 when it did not (the line says why).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from local_processes import Children, Missing, model_file, server_failure, start_llama_server

# A plain completion the base demo model continues with Go (issue: base models echo chat prompts).
PROMPT = 'package main\n\nimport "fmt"\n\nfunc main() {\n'


def check(binary: Path, tokens: int, timeout_s: float, model: Path | None = None) -> str:
    """Start `binary` on `model` (default: the demo model), decode `tokens` tokens; return the
    success line.

    Raises Missing with a one-line cause when the server dies, never answers, or decodes nothing."""
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise Missing(
            f"llama-server {binary} is not an executable file: set LLAMA_SERVER to a llama-server,"
            " or run make install"
        )
    model = model or model_file()
    with tempfile.TemporaryDirectory(prefix="llama-server-check-") as log_dir:
        children = Children(Path(log_dir))
        try:
            url = start_llama_server(children, binary, model, {}, chat_template=None, timeout_s=timeout_s)
            props = httpx.get(f"{url}/props", timeout=10).json()
            started = time.monotonic()
            request = {
                "prompt": PROMPT,
                "n_predict": tokens,
                "temperature": 0,
                "seed": 42,
                "cache_prompt": False,
            }
            reply = httpx.post(f"{url}/completion", json=request, timeout=timeout_s)
            reply.raise_for_status()
            body = reply.json()
        except (httpx.HTTPError, ValueError) as exc:
            died = exit_status(children)
            if died is not None:
                raise Missing(server_failure(binary, died)) from exc
            raise Missing(
                f"llama-server {binary} started but did not decode ({exc}): run it by hand to see why"
            ) from exc
        finally:
            children.stop_all()
    decoded = int(body.get("tokens_predicted") or 0)
    if decoded < 1:
        raise Missing(f"llama-server {binary} answered but decoded no token: {str(body)[:200]}")
    rate = float((body.get("timings") or {}).get("predicted_per_second") or 0.0)
    build = props.get("build_info", "unknown build")
    elapsed = time.monotonic() - started
    return (
        f"llama-server smoke check passed: {binary} ({build}) decoded {decoded} tokens of the demo model"
        f" at {rate:.1f} tok/s ({elapsed:.1f} s)"
    )


def exit_status(children: Children, wait_s: float = 5.0) -> int | None:
    """The server's exit status if it died (a crash mid-decode drops the connection a moment before
    the process is gone: wait for it up to `wait_s`), None while it runs."""
    for _name, proc in children.started:
        try:
            return proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", type=Path)
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--timeout-s", type=float, default=180.0)
    parser.add_argument("--model", type=Path, help="a GGUF to start it on (default: the demo model)")
    args = parser.parse_args(argv)
    try:
        print(check(args.binary, args.tokens, args.timeout_s, args.model), flush=True)
    except Missing as exc:
        print(f"ops/llama_server_check.py: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
