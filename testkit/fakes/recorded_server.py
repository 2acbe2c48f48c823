"""FAKE llama-server on 127.0.0.1 that answers with recorded bodies, in a thread of the test.

Real servers send things no documentation shows (an `error:` SSE field, a reply streamed only as
`reasoning_content`, raw Harmony markers, 503 while loading): this server plays back such a
recorded body, byte for byte, so a real `worker gpu` meets it through its real client.

- `POST /v1/chat/completions`: the next `Reply` queued for the request's `seed` (the last one
  again once one is left), its body written in small pieces so the client parses a stream.
- `GET /v1/models`: the next of `models_statuses` while any are left (e.g. 503 "Loading model"
  as llama-server answers while it loads), then 200 with the served models.
- Every request is counted per path (and seed, for chat requests) in `requests`; chat request
  bodies are kept in `bodies`, in order.
- A recorded multi-turn conversation (`queue_turns`): a seed's reply chosen by the request's turn,
  one more than the assistant messages it holds, so a turn asked again gets the same answer.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOADING = {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}
PIECE_BYTES = 97  # an odd size, so pieces end mid-line and mid-character sequence


@dataclass(frozen=True)
class Reply:
    """One recorded answer: status, content type, body and extra headers."""

    body: bytes
    status: int = 200
    content_type: str = "text/event-stream"
    headers: dict[str, str] = field(default_factory=dict)


def content_stream(
    text: str, field_name: str = "content", finish_reason: str = "stop", timings: dict[str, Any] | None = None
) -> bytes:
    """A llama-server SSE body that streams `text` in `delta.<field_name>` and ends normally."""

    def event(payload: dict[str, Any]) -> str:
        return f"data: {json.dumps(payload)}\n\n"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    parts = [event(chunk({"role": "assistant", "content": None}))]
    parts += [event(chunk({field_name: text[i : i + 40]})) for i in range(0, len(text), 40)]
    parts.append(event(chunk({}, finish_reason)))
    usage = {"prompt_tokens": 100, "completion_tokens": max(1, len(text) // 4)}
    tail = {
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": usage,
        "timings": {
            "prompt_n": 100,
            "predicted_n": usage["completion_tokens"],
            "predicted_per_second": 40.0,
            "prompt_per_second": 800.0,
            **(timings or {}),
        },
    }
    parts.append(event(tail))
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


class RecordedServer:
    """The server: start(), url, queue replies, read counters, stop()."""

    def __init__(self, models: list[str], port: int = 0, models_statuses: list[int] | None = None) -> None:
        self.models = models
        self.replies: dict[int, list[Reply]] = {}
        self.models_statuses = list(models_statuses or [])
        self.requests: Counter[str] = Counter()
        self.bodies: list[dict[str, Any]] = []
        self.turn_replies: dict[int, dict[int, list[Reply]]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL (LLAMA_SWAP_URL)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RecordedServer:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (if it started) and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def queue(self, seed: int, *replies: Reply) -> None:
        """Answer the next chat requests with this seed with these replies, in order."""
        with self._lock:
            self.replies.setdefault(seed, []).extend(replies)

    def queue_turns(self, seed: int, turns: dict[int, list[Reply]]) -> None:
        """Answer turn t of the conversation with this seed with `turns[t]`, in order (the last one
        again once one is left): e.g. a 500 then the answer, for an infra fault on that turn."""
        with self._lock:
            self.turn_replies[seed] = {t: list(r) for t, r in turns.items()}

    def _next_reply(self, seed: int, turn: int = 1) -> Reply:
        with self._lock:
            by_turn = self.turn_replies.get(seed)
            if by_turn is not None:
                replies = by_turn[turn]
                return replies.pop(0) if len(replies) > 1 else replies[0]
            replies = self.replies[seed]
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _next_models_status(self) -> int:
        with self._lock:
            return self.models_statuses.pop(0) if self.models_statuses else 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests[self.path] += 1
                if self.path.split("?")[0] != "/v1/models":
                    self._send(
                        Reply(
                            json.dumps(
                                {
                                    "error": {
                                        "code": 404,
                                        "message": "File Not Found",
                                        "type": "not_found_error",
                                    }
                                }
                            ).encode(),
                            404,
                            "application/json",
                        )
                    )
                    return
                status = server._next_models_status()
                if status != 200:
                    self._send(Reply(json.dumps(LOADING).encode(), status, "application/json"))
                    return
                data = [{"id": m, "object": "model", "owned_by": "llamacpp"} for m in server.models]
                self._send(
                    Reply(json.dumps({"object": "list", "data": data}).encode(), 200, "application/json")
                )

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
                turn = 1 + sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
                server.requests[f"{self.path} seed={body.get('seed')}"] += 1
                server.requests[f"{self.path} seed={body.get('seed')} turn={turn}"] += 1
                with server._lock:
                    server.bodies.append(body)
                self._send(server._next_reply(int(body.get("seed", 0)), turn))

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                for i in range(0, len(reply.body), PIECE_BYTES):
                    self.wfile.write(reply.body[i : i + PIECE_BYTES])
                    self.wfile.flush()
                self.close_connection = True

        return Handler
