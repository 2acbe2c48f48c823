"""An OpenAI-compatible chat client on httpx for llama-swap and plain llama-server.

Chat jobs go to `/v1/chat/completions`; completion-style jobs (a base model continuing the start
of the answer file) to `/v1/completions`, whose stream has the same framing with `choices[].text`
in place of `choices[].delta.content` and the same final `usage` and `timings`.

One request per generation, streamed (`stream: true`, so a 10-minute generation never sits on an
idle connection), with `stream_options.include_usage` so the server sends token counts, and
`cache_prompt: false` so a seed reproduces (llama-server's prompt cache can change logits).
llama-server attaches its `timings` to the last chunk: the decode rate we record is its
`predicted_per_second`, never our wall clock.

Thinking is turned off per request where the model catalog says `reasoning: false`, with the
chat template variable `chat_template_kwargs: {"enable_thinking": false}` (what llama.cpp's
maintainers recommend; `--reasoning-budget 0` is a token budget in current builds, and
`--reasoning off` is server-wide, for llama-swap's `cmd` when a model must never think).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from scheduler.core.settings import mask_url
from worker.chat import ChatRequest, ChatResult
from worker.errors import GenerationTimeout, NotAModelServer, ServerError, ServerNotReady
from worker.stream import ChatStream, status_error

__all__ = ["ChatClient", "ChatRequest", "ChatResult"]

# A server that stays silent this long mid-stream is stuck (llama-server pings every 30 s while
# it processes a long prompt): the generation then counts as timed out.
STALL_TIMEOUT_S = 300.0
CONNECT_TIMEOUT_S = 10.0
INFO_TIMEOUT_S = 10.0
STARTUP_MAX_PAUSE_S = 30.0  # longest wait between two asks of a server that is still starting


class ChatClient:
    """Talks to one llama-swap (or llama-server) at `base_url`."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._transport = transport
        self._http: httpx.Client | None = None

    def _client(self) -> httpx.Client:
        # One connection pool for the client's life: building an httpx.Client builds a TLS context,
        # which a task would otherwise pay for before every request.
        if self._http is None:
            timeout = httpx.Timeout(INFO_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
            self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=self._transport)
        return self._http

    def close(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def complete(self, request: ChatRequest) -> ChatResult:
        """Stream one completion; raise ServerError or GenerationTimeout (with the partial text)."""
        result = ChatResult()
        started = time.monotonic()
        deadline = started + request.timeout_s
        try:
            read_timeout = httpx.Timeout(min(request.timeout_s, STALL_TIMEOUT_S), connect=CONNECT_TIMEOUT_S)
            with self._client().stream(
                "POST",
                request.path,
                json=request.body(),
                timeout=read_timeout,
                headers={"Accept": "text/event-stream"},
            ) as response:
                if response.status_code != 200:
                    response.read()
                    raise status_error(response)
                stream = ChatStream(response)
                for payload in stream.chunks():
                    _absorb(result, payload, started)
                    if time.monotonic() > deadline:
                        raise _timeout(result, started, request.timeout_s)
        except httpx.TimeoutException as exc:
            if result.first_token_s is None and isinstance(exc, httpx.ConnectTimeout):
                raise ServerError(f"connect timeout: {exc}", retryable=True) from exc
            raise _timeout(result, started, request.timeout_s) from exc
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise ServerError(f"{type(exc).__name__}: {exc or 'connection failed'}", retryable=True) from exc
        result.wall_s = time.monotonic() - started
        if result.finish_reason is None:
            raise stream.unfinished_error()
        return result

    def served_models(self) -> list[str]:
        """The model ids of `GET /v1/models` (what this llama-swap serves).

        Raises ServerNotReady while the server cannot answer yet (connection refused, a timeout,
        a 5xx such as llama-server's 503 while it loads its model), NotAModelServer when it
        answers but not as an OpenAI-compatible server (a 4xx, or a body without a model list).
        """
        where = f"LLAMA_SWAP_URL={mask_url(self.base_url)}"
        try:
            response = self._client().get("/v1/models")
        except httpx.TransportError as exc:
            raise ServerNotReady(f"{where} does not answer yet ({type(exc).__name__}: {exc})") from exc
        if response.status_code >= 500:
            raise ServerNotReady(f"{where} is not ready ({status_error(response)})")
        fix = "point LLAMA_SWAP_URL at llama-swap or llama-server"
        if response.status_code != 200:
            raise NotAModelServer(f"{where}/v1/models answered {status_error(response)}: {fix}")
        try:
            data = response.json()["data"]
            return sorted(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)
        except (ValueError, KeyError, TypeError) as exc:
            raise NotAModelServer(
                f"{where}/v1/models is not an OpenAI-compatible model list ({type(exc).__name__}: {exc}): {fix}"
            ) from exc

    def wait_for_models(
        self, echo: Callable[[str], None], sleep: Callable[[float], None] = time.sleep
    ) -> list[str]:
        """`served_models()`, waiting out a server that is still starting (backoff 1 s doubling to
        STARTUP_MAX_PAUSE_S, one `echo` line per wait); NotAModelServer is raised at once."""
        pause_s = 1.0
        while True:
            try:
                return self.served_models()
            except ServerNotReady as exc:
                echo(f"{exc}; trying again in {pause_s:g} s")
                sleep(pause_s)
                pause_s = min(STARTUP_MAX_PAUSE_S, pause_s * 2)

    def props(self, model: str) -> dict[str, Any]:
        """llama-server's `GET /props?model=` as it answered ({} where the server has none)."""
        try:
            response = self._client().get("/props", params={"model": model})
            if response.status_code != 200:
                return {}
            props = response.json()
        except (httpx.HTTPError, ValueError):
            return {}
        return props if isinstance(props, dict) else {}

    def server_info(self, model: str) -> dict[str, Any]:
        """Build info and model path from `GET /props?model=` ({} where the server has none)."""
        props = self.props(model)
        settings = props.get("default_generation_settings") or {}
        info = {
            "build_info": props.get("build_info"),
            "model_path": props.get("model_path"),
            "total_slots": props.get("total_slots"),
            "n_ctx": settings.get("n_ctx") if isinstance(settings, dict) else None,
        }
        return {k: v for k, v in info.items() if v is not None}


def _absorb(result: ChatResult, payload: dict[str, Any], started: float) -> None:
    """Fold one chunk into the result (a chat chunk's `delta`, or a completion chunk's `text`)."""
    for choice in payload.get("choices") or []:
        delta = choice.get("delta") or {}
        content = delta.get("content") or choice.get("text") or ""
        reasoning = delta.get("reasoning_content") or ""
        if (content or reasoning) and result.first_token_s is None:
            result.first_token_s = time.monotonic() - started
        result.text += content
        result.reasoning_text += reasoning
        if choice.get("finish_reason"):
            result.finish_reason = str(choice["finish_reason"])
    usage = payload.get("usage")
    if isinstance(usage, dict):
        result.prompt_tokens = _integer(usage, "prompt_tokens")
        result.completion_tokens = _integer(usage, "completion_tokens")
    timings = payload.get("timings")
    if isinstance(timings, dict):
        result.timings = timings
        result.prompt_tokens = result.prompt_tokens or _integer(timings, "prompt_n")
        result.completion_tokens = result.completion_tokens or _integer(timings, "predicted_n")
    if payload.get("system_fingerprint"):
        result.system_fingerprint = str(payload["system_fingerprint"])


def _timeout(result: ChatResult, started: float, timeout_s: float) -> GenerationTimeout:
    result.wall_s = time.monotonic() - started
    return GenerationTimeout(f"generation passed its {timeout_s:g} s deadline", result)


def _integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return int(value) if isinstance(value, int | float) else None
