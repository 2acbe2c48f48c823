"""FAKE llama-swap for tests and the fleet benchmark; never used by a real run.

A GPU machine runs llama-swap in front of llama-server; neither a GPU nor the article's
models exist here, so this stand-in speaks the same protocol on stdlib asyncio:

- ``POST /v1/chat/completions`` (stream true or false): llama-server's OpenAI-compatible
  body; streamed as SSE ``data: {...}`` chunks (first chunk ``delta.role``, content chunks,
  a final chunk with ``finish_reason`` and empty ``delta``, a ``choices: []`` usage chunk when
  ``stream_options.include_usage`` is set, ``timings`` on the last chunk) then ``data: [DONE]``.
- ``POST /v1/completions`` (a plain ``prompt``): the same, with llama-server's completion chunks
  (``choices[].text``, ``object: text_completion``).
- ``GET /props?model=M``: llama-server's ``/props`` of the model (llama-swap passes it through):
  ``default_generation_settings.n_ctx``, ``total_slots``, ``model_path``, ``build_info``...
- ``GET /v1/models``, ``GET /running``, ``GET /health``, ``GET /unload`` as llama-swap has them;
  an unknown model gets llama-swap's 404 error envelope.
- One model loaded at a time, a configurable load time charged per swap, llama-swap's FIFO
  rules (see ``swap_scheduler``), tokens streamed at a configurable rate.
- Text is replayed from recorded real responses (``--replay DIR``, the article's layout),
  never invented; ``max_tokens`` cuts a replay short with ``finish_reason: length``. A chat
  request holding N assistant messages asks for turn N + 1 of a recorded conversation
  (``turn<N>.txt`` beside ``response.txt``).
- Test hooks under ``/fake/``: ``GET /fake/stats`` (loads per model, load events, request
  log), ``POST /fake/reset``, ``POST /fake/fail {"mode": "500"|"hang"|"drop", "count": N}``.

Run: ``python -m testkit.fakes.fake_llama_swap --port 0 --models a,b --load-time-s 2
--decode-tps 50 --replay DIR``; it prints ``fake-llama-swap listening on URL`` when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .fake_http import HttpRequest, read_request, write_chunk, write_json, write_stream_head, write_text
from .recorded_responses import CHARS_PER_TOKEN, RecordingLibrary
from .swap_scheduler import ProcessState, SwapScheduler

# The article's published responses, beside the repo as in CI (or QUANTSWEEP_ARTICLE_RESULTS).
DEFAULT_REPLAY_DIR = Path(
    os.environ.get("QUANTSWEEP_ARTICLE_RESULTS")
    or Path(__file__).resolve().parents[3] / "shared" / "reference" / "article-results"
)
BUILD_INFO = "b0000-fakeswap"
# Shortest pause between two streamed chunks: fast rates send several tokens per chunk.
MIN_CHUNK_INTERVAL_S = 0.02
FAILURE_MODES = ("500", "hang", "drop")


def error_envelope(status: int, message: str) -> dict[str, Any]:
    """llama-swap's JSON error body (``swaputil.NewErrorEnvelope``)."""
    kinds = {404: ("invalid_request_error", "not_found"), 429: ("rate_limit_error", "rate_limit_exceeded")}
    err_type, code = kinds.get(status, ("server_error", "internal_error"))
    return {"src": "llama-swap", "error": {"message": message, "type": err_type, "param": None, "code": code}}


class FakeLlamaSwap:
    """The fake server's state: served models, the swap scheduler, replay text, counters."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.models: list[str] = sorted(m for m in args.models.split(",") if m)
        self.decode_tps = parse_overrides(args.decode_tps_by_model, args.decode_tps, self.models)
        load_s = parse_overrides(args.load_time_s_by_model, args.load_time_s, self.models)
        self.prompt_tps: float = args.prompt_tps
        self.scheduler = SwapScheduler(load_time_s=load_s, concurrency_limit=args.concurrency_limit)
        self.library = RecordingLibrary(Path(args.replay))
        self.parallel: int = args.parallel
        self.slots = {m: asyncio.Semaphore(args.parallel) for m in self.models}
        self.fail_rate: float = args.fail_rate
        self.rng = random.Random(args.fail_seed)
        self.planned_failures: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one request on one connection (responses say ``Connection: close``)."""
        try:
            request = await read_request(reader)
            if request is not None:
                await self.route(request, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def route(
        self, req: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Dispatch by method and path."""
        key = (req.method, req.path)
        if key == ("POST", "/v1/chat/completions"):
            await self.chat_completions(req, reader, writer)
        elif key == ("POST", "/v1/completions"):
            await self.chat_completions(req, reader, writer, completion=True)
        elif key == ("GET", "/props"):
            await write_json(writer, 200, self.props(req))
        elif key in {("GET", "/v1/models"), ("GET", "/models")}:
            await write_json(writer, 200, self.model_list())
        elif key == ("GET", "/running"):
            await write_json(writer, 200, self.running())
        elif key == ("GET", "/health"):
            await write_text(writer, 200, "OK")
        elif key == ("GET", "/unload"):
            await self.scheduler.unload()
            await write_text(writer, 200, "OK")
        elif key == ("GET", "/fake/stats"):
            await write_json(writer, 200, self.stats())
        elif key == ("POST", "/fake/reset"):
            self.reset()
            await write_json(writer, 200, {"ok": True})
        elif key == ("POST", "/fake/fail"):
            await self.plan_failures(req, writer)
        else:
            await write_json(writer, 404, error_envelope(404, f"no route for {req.method} {req.path}"))

    def model_list(self) -> dict[str, Any]:
        """``/v1/models`` exactly as llama-swap lists local models (sorted by id)."""
        created = int(time.time())
        data = [
            {"id": m, "object": "model", "created": created, "owned_by": "llama-swap"} for m in self.models
        ]
        return {"object": "list", "data": data}

    def props(self, req: HttpRequest) -> dict[str, Any]:
        """llama-server's ``GET /props`` (the fields its handler writes), for the model asked for."""
        model = parse_qs(req.query).get("model", [""])[0]
        return {
            "default_generation_settings": {"n_ctx": 16384, "params": {}},
            "total_slots": self.parallel,
            "model_alias": model,
            "model_path": f"/models/{model or 'model'}.gguf",
            "modalities": {"vision": False, "audio": False},
            "chat_template": "",
            "bos_token": "<bos>",
            "eos_token": "<eos>",
            "build_info": BUILD_INFO,
        }

    def running(self) -> dict[str, Any]:
        """``/running``: the loaded model, if any, with llama-swap's fields."""
        sched = self.scheduler
        if sched.loaded is None or sched.state is ProcessState.STOPPED:
            return {"running": []}
        entry = {
            "model": sched.loaded,
            "state": sched.state.value,
            "cmd": f"fake-llama-server --model {sched.loaded}",
            "proxy": f"http://127.0.0.1:{self.port}",
            "ttl": 0,
            "name": "",
            "description": "",
        }
        return {"running": [entry]}

    def stats(self) -> dict[str, Any]:
        """Counters for tests and the bench: loads per model, load events, the request log."""
        events = [vars(e) for e in self.scheduler.load_events]
        return {
            "loaded": self.scheduler.loaded,
            "state": self.scheduler.state.value,
            "loads": dict(self.scheduler.loads),
            "load_events": events,
            "requests": self.requests,
        }

    def reset(self) -> None:
        """Clear counters and planned failures (the loaded model stays loaded)."""
        self.scheduler.loads.clear()
        self.scheduler.load_events.clear()
        self.requests.clear()
        self.planned_failures.clear()

    async def plan_failures(self, req: HttpRequest, writer: asyncio.StreamWriter) -> None:
        """Make the next ``count`` chat requests fail in ``mode``."""
        body = json.loads(req.body or b"{}")
        mode, count = str(body.get("mode", "500")), int(body.get("count", 1))
        if mode not in FAILURE_MODES:
            await write_json(writer, 400, {"error": f"mode must be one of {FAILURE_MODES}, got {mode!r}"})
            return
        self.planned_failures.extend([mode] * count)
        await write_json(writer, 200, {"planned": list(self.planned_failures)})

    def next_failure(self) -> str | None:
        if self.planned_failures:
            return self.planned_failures.popleft()
        if self.fail_rate > 0 and self.rng.random() < self.fail_rate:
            return "500"
        return None

    async def chat_completions(
        self,
        req: HttpRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        completion: bool = False,
    ) -> None:
        """Queue for the model (swapping if needed), then replay a recorded response."""
        try:
            body = json.loads(req.body)
        except json.JSONDecodeError:
            await write_json(writer, 400, error_envelope(400, "invalid JSON body"))
            return
        model = str(body.get("model", ""))
        log: dict[str, Any] = {"model": model, "seed": body.get("seed"), "stream": bool(body.get("stream"))}
        log.update(received_at=time.time(), status=None, finish_reason=None, completion_tokens=0)
        self.requests.append(log)
        if model not in self.models:
            log["status"] = 404
            await write_json(writer, 404, error_envelope(404, "no local server found for requested model"))
            return
        if self.scheduler.pending_for(model) >= self.scheduler.concurrency_limit:
            log["status"] = 429
            await write_json(writer, 429, error_envelope(429, "Too many requests"), {"Retry-After": "1"})
            return
        failure = self.next_failure()
        log["failure"] = failure
        if failure == "500":
            log["status"] = 500
            message = "unspecific error: upstream command exited prematurely"
            await write_json(writer, 500, error_envelope(500, message))
            return
        gone = asyncio.get_running_loop().create_task(reader.read(1))
        try:
            if not await first_or_gone(self.scheduler.acquire(model), gone):
                log["status"] = 499
                return
            try:
                async with self.slots[model]:
                    log["started_at"] = time.time()
                    await self.generate(body, log, writer, gone, failure, completion)
            finally:
                await self.scheduler.release()
        finally:
            gone.cancel()
            log["finished_at"] = time.time()

    async def generate(
        self,
        body: dict[str, Any],
        log: dict[str, Any],
        writer: asyncio.StreamWriter,
        gone: asyncio.Task[bytes],
        failure: str | None,
        completion: bool = False,
    ) -> None:
        """Pace prompt processing and decoding, writing SSE chunks or one JSON body."""
        model = str(body["model"])
        if completion:
            prompt = str(body.get("prompt", ""))
        else:
            prompt = " ".join(
                str(m.get("content", "")) for m in body.get("messages", []) if isinstance(m, dict)
            )
        seed = body.get("seed") if isinstance(body.get("seed"), int) else None
        messages = [] if completion else body.get("messages", [])
        turn = 1 + sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")
        recording = self.library.choose(model, prompt, seed, turn)
        limit = max_tokens_of(body)
        pieces = recording.pieces if limit is None else recording.pieces[:limit]
        finish_reason = "length" if len(pieces) < len(recording.pieces) else "stop"
        prompt_n = max(1, len(prompt) // CHARS_PER_TOKEN)
        prompt_s = prompt_n / self.prompt_tps if self.prompt_tps > 0 else 0.0
        rate = self.decode_tps[model]
        log.update(replayed=f"{recording.exam}/{recording.model}/seed{recording.seed}", turn=turn)
        stream = bool(body.get("stream"))
        meta = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()), "model": model}
        meta["object"] = "text_completion" if completion else "chat.completion.chunk"
        if failure == "hang":
            await gone  # never answer; the caller's timeout (or its death) ends it
            log["status"] = 499
            return
        await sleep_or_gone(prompt_s, gone)
        if stream:
            await write_stream_head(writer)
            if not completion:
                await write_chunk(writer, sse(chunk(meta, {"role": "assistant", "content": None})))
        decode_start = time.monotonic()
        sent = 0
        per_chunk = max(1, round(rate * MIN_CHUNK_INTERVAL_S))
        while sent < len(pieces):
            if gone.done():
                log["status"] = 499
                return
            if failure == "drop" and sent >= len(pieces) // 2:
                log["status"] = "dropped"
                writer.transport.abort()
                return
            batch = pieces[sent : sent + per_chunk]
            sent += len(batch)
            await asyncio.sleep(max(0.0, decode_start + sent / rate - time.monotonic()))
            if stream:
                await write_chunk(writer, sse(chunk(meta, {"content": "".join(batch)})))
        decode_ms = (time.monotonic() - decode_start) * 1000
        timings = timings_of(prompt_n, prompt_s * 1000, len(pieces), decode_ms)
        usage = {
            "completion_tokens": len(pieces),
            "prompt_tokens": prompt_n,
            "total_tokens": len(pieces) + prompt_n,
        }
        log.update(status=200, finish_reason=finish_reason, completion_tokens=len(pieces))
        if not stream:
            message = {"role": "assistant", "content": "".join(pieces)}
            choice = {"finish_reason": finish_reason, "index": 0, "message": message}
            if completion:
                choice = {
                    "text": "".join(pieces),
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            full = {
                "choices": [choice],
                **meta,
                "system_fingerprint": BUILD_INFO,
                "object": "text_completion" if completion else "chat.completion",
            }
            full.update(usage={**usage, "prompt_tokens_details": {"cached_tokens": 0}}, timings=timings)
            await write_json(writer, 200, full)
            return
        final = chunk(meta, {}, finish_reason)
        tail = [final]
        if (body.get("stream_options") or {}).get("include_usage"):
            tail.append({"choices": [], **{k: v for k, v in final.items() if k != "choices"}, "usage": usage})
        tail[-1]["timings"] = timings
        for part in tail:
            await write_chunk(writer, sse(part))
        await write_chunk(writer, b"data: [DONE]\n\n")
        await write_chunk(writer, b"")


def chunk(meta: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    """One ``chat.completion.chunk`` in llama-server's field order, or for ``meta["object"]``
    ``text_completion`` its completion chunk (``text`` in place of ``delta``)."""
    choice: dict[str, Any] = {"finish_reason": finish_reason, "index": 0, "delta": delta}
    if meta.get("object") == "text_completion":
        choice = {
            "text": delta.get("content") or "",
            "index": 0,
            "logprobs": None,
            "finish_reason": finish_reason,
        }
    return {
        "choices": [choice],
        "created": meta["created"],
        "id": meta["id"],
        "model": meta["model"],
        "system_fingerprint": BUILD_INFO,
        "object": meta.get("object", "chat.completion.chunk"),
    }


def sse(payload: dict[str, Any]) -> bytes:
    """An SSE data event."""
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def timings_of(prompt_n: int, prompt_ms: float, predicted_n: int, predicted_ms: float) -> dict[str, Any]:
    """llama-server's ``timings`` object (``result_timings::to_json``)."""
    return {
        "cache_n": 0,
        "prompt_n": prompt_n,
        "prompt_ms": prompt_ms,
        "prompt_per_token_ms": prompt_ms / prompt_n if prompt_n else 0.0,
        "prompt_per_second": 1000 * prompt_n / prompt_ms if prompt_ms > 0 else 0.0,
        "predicted_n": predicted_n,
        "predicted_ms": predicted_ms,
        "predicted_per_token_ms": predicted_ms / predicted_n if predicted_n else 0.0,
        "predicted_per_second": 1000 * predicted_n / predicted_ms if predicted_ms > 0 else 0.0,
    }


def max_tokens_of(body: dict[str, Any]) -> int | None:
    """The token limit, with llama-server's precedence: n_predict, max_completion_tokens, max_tokens."""
    for key in ("n_predict", "max_completion_tokens", "max_tokens"):
        value = body.get(key)
        if isinstance(value, int) and value >= 0:
            return value
    return None


async def first_or_gone(work: Any, gone: asyncio.Task[bytes]) -> bool:
    """Run work unless the caller disconnects first (then cancel it and return False)."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
        return True
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return False


async def sleep_or_gone(delay_s: float, gone: asyncio.Task[bytes]) -> None:
    if delay_s > 0:
        await asyncio.wait({gone}, timeout=delay_s)


def parse_overrides(spec: str, default: float, models: list[str]) -> dict[str, float]:
    """``a=1.5,b=3`` per-model values over a default for every model."""
    values = {m: default for m in models}
    for item in filter(None, spec.split(",")):
        name, _, value = item.partition("=")
        values[name] = float(value)
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    p = argparse.ArgumentParser(prog="fake_llama_swap", description="FAKE llama-swap for tests and benches")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    p.add_argument("--models", required=True, help="comma-separated model ids this machine serves")
    p.add_argument("--load-time-s", type=float, default=1.0, help="seconds charged per model load")
    p.add_argument("--load-time-s-by-model", default="", help="per-model load seconds, e.g. a=2,b=0.5")
    p.add_argument("--decode-tps", type=float, default=50.0, help="decode rate")
    p.add_argument("--decode-tps-by-model", default="", help="per-model decode rate, e.g. a=30,b=80")
    p.add_argument("--prompt-tps", type=float, default=2000.0, help="prompt rate (0: instant)")
    p.add_argument("--replay", default=str(DEFAULT_REPLAY_DIR), help="dir of recorded responses")
    p.add_argument("--parallel", type=int, default=1, help="llama-server slots per model (-np)")
    p.add_argument("--concurrency-limit", type=int, default=10, help="per-model limit before 429")
    p.add_argument("--fail-rate", type=float, default=0.0, help="fraction of chat requests answered 500")
    p.add_argument("--fail-seed", type=int, default=0)
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start listening, announce the URL on stdout, serve until killed."""
    fake = FakeLlamaSwap(args)
    server = await asyncio.start_server(fake.handle, args.host, args.port)
    fake.port = server.sockets[0].getsockname()[1]
    print(f"fake-llama-swap listening on http://{args.host}:{fake.port}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Entry point for ``python -m testkit.fakes.fake_llama_swap``."""
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except ValueError as exc:
        print(f"fake_llama_swap: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
