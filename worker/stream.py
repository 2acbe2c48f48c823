"""Reading a streamed chat completion, and every form in which a server reports an error.

The stream is parsed by httpx-sse, to the Server-Sent Events specification (WHATWG HTML,
"Interpreting an event stream"): `event`, `data` (several lines joined), `id` and `retry` fields,
comments (llama-server's `: ping`), and unknown fields ignored. The forms an error arrives in:

- an HTTP error status, with llama-server's or llama-swap's JSON envelope
  (`{"error": {"message", "type", "code"}}`) or a plain-text body (llama-swap's own failures);
- `data: {"error": {...}}` inside a 200 stream (llama-server since PR 16109), or the same under
  `event: error`;
- the non-standard field `error: {...}` at HTTP 200 (llama-server before PR 16109), or an error
  body written into the stream without SSE framing (proxies that forward the upstream's body).
  A spec-conforming parser skips both, so the stream just ends without a `finish_reason`; the
  skipped lines (kept from the last `TAIL_BYTES` of the body) are read only then, to recover the
  server's own message;
- a body that is not an event stream at all, at HTTP 200.

Each becomes one `ServerError` with the server's message, type and code, and a status: the HTTP
status, or for an error inside the stream its `code`, else the status llama-server gives its
`type`. Client errors (4xx but 408 and 429) and 501 are not retried: asking again cannot help.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from worker.errors import ServerError

TAIL_BYTES = 64 * 1024
MESSAGE_CHARS = 500
SSE_FIELDS = ("event", "data", "id", "retry")
# llama-server's error types and the HTTP status it answers them with (`format_error_response`).
LLAMA_ERROR_STATUS = {
    "invalid_request_error": 400,
    "exceed_context_size_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "server_error": 500,
    "not_supported_error": 501,
    "unavailable_error": 503,
}
TRANSIENT_CLIENT_STATUSES = frozenset({408, 429})  # a timeout, a rate limit: worth another try
PERMANENT_SERVER_STATUSES = frozenset({501})  # not implemented: never will be on a retry


def is_retryable(status: int | None) -> bool:
    """Whether asking again may help: not for client errors (4xx but 408, 429) nor 501."""
    if status is None:
        return True
    if 400 <= status < 500:
        return status in TRANSIENT_CLIENT_STATUSES
    return status not in PERMANENT_SERVER_STATUSES


def error_from_payload(payload: Any, *, status: int | None, where: str) -> ServerError:
    """A ServerError from a JSON error body (`{"error": {...}}`, `{"error": "text"}` or the object).

    `status` is the HTTP status when the body came with one (None inside a 200 stream: then the
    error object's `code`, else its `type`, gives the status).
    """
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if not isinstance(error, dict):
        text = str(error)[:MESSAGE_CHARS]
        return ServerError(f"{where}: {text}", retryable=is_retryable(status), status=status)
    message = str(error.get("message") or json.dumps(error))[:MESSAGE_CHARS]
    error_type = str(error["type"]) if error.get("type") is not None else None
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, str | int) and not isinstance(raw_code, bool) else None
    if status is None:
        status = (
            code if isinstance(code, int) and 400 <= code < 600 else LLAMA_ERROR_STATUS.get(error_type or "")
        )
        where = where if status is None else f"{where} ({status})"
    return ServerError(
        f"{where}: {error_type + ': ' if error_type else ''}{message}",
        retryable=is_retryable(status),
        status=status,
        error_type=error_type,
        code=code,
    )


def error_from_text(text: str, *, status: int | None, where: str) -> ServerError:
    """A ServerError from a body that may be a JSON error envelope or plain text."""
    try:
        payload = json.loads(text)
    except ValueError:
        return ServerError(
            f"{where}: {text.strip()[:MESSAGE_CHARS] or '(empty body)'}",
            retryable=is_retryable(status),
            status=status,
        )
    return error_from_payload(payload, status=status, where=where)


def status_error(response: httpx.Response) -> ServerError:
    """The error of a non-200 response (its body read), with its `Retry-After`."""
    status = response.status_code
    error = error_from_text(response.text, status=status, where=f"HTTP {status}")
    error.retry_after_s = retry_after_s(response.headers.get("retry-after"))
    return error


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds: delay-seconds or an HTTP-date (RFC 9110 10.2.3); None if absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class ChatStream:
    """The JSON chunks of one streamed completion (a 200 response whose body is being read)."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._tail = bytearray()
        self._trimmed = False

    def _teed_bytes(self) -> Iterator[bytes]:
        for chunk in self._response.iter_bytes():
            self._tail += chunk
            if len(self._tail) > TAIL_BYTES:
                del self._tail[: len(self._tail) - TAIL_BYTES]
                self._trimmed = True
            yield chunk

    def chunks(self) -> Iterator[dict[str, Any]]:
        """Each `chat.completion.chunk` object, up to `data: [DONE]`; raise ServerError for an error."""
        content_type = self._response.headers.get("content-type", "")
        # httpx-sse reads from a Response: this one carries the body already decoded, through the tee.
        teed = httpx.Response(200, headers={"content-type": content_type}, content=self._teed_bytes())
        try:
            for event in EventSource(teed).iter_sse():
                if event.data == "[DONE]":
                    return
                if not event.data:
                    continue  # an event of `id` or `retry` alone
                payload = self._decode(event.data)
                if event.event == "error" or (isinstance(payload, dict) and "error" in payload):
                    raise error_from_payload(payload, status=None, where="error in the stream")
                if isinstance(payload, dict):
                    yield payload
        except SSEError:
            body = self._response.read().decode(self._response.encoding or "utf-8", errors="replace")
            where = f"HTTP 200 with {content_type or 'no content type'}, not an event stream"
            raise error_from_text(body, status=None, where=where) from None

    @staticmethod
    def _decode(data: str) -> Any:
        try:
            return json.loads(data)
        except ValueError as exc:
            raise ServerError(f"malformed stream chunk: {data[:200]!r}", retryable=True) from exc

    def unfinished_error(self) -> ServerError:
        """The error of a stream that ended without a finish_reason, with what the server said."""
        skipped = self.skipped_lines()
        for line in reversed(skipped):
            name, colon, value = line.partition(":")
            legacy_field = name == "error" and bool(colon)
            text = value.removeprefix(" ") if legacy_field else line
            error = error_from_text(text, status=None, where="error in the stream (outside SSE data)")
            if legacy_field or error.status is not None or error.error_type is not None:
                return error
        if skipped:
            text = " | ".join(skipped)[-MESSAGE_CHARS:]
            return ServerError(
                f"the stream ended without a finish_reason; it also carried: {text}", retryable=True
            )
        return ServerError("the stream ended without a finish_reason", retryable=True)

    def skipped_lines(self) -> list[str]:
        """Lines of the body's tail that are no SSE field nor comment: what the parser ignored."""
        text = self._tail.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        if self._trimmed:
            lines = lines[1:]  # the buffer starts inside a line
        return [
            line
            for line in lines
            if line.strip() and not line.startswith(":") and line.partition(":")[0] not in SSE_FIELDS
        ]
