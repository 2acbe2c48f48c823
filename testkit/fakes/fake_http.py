"""The little HTTP/1.1 the fake llama-swap needs, on asyncio streams (no extra dependency).

One request per connection; every response says ``Connection: close``. Streamed bodies
use chunked transfer encoding, as llama-swap's proxied SSE responses do.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class HttpRequest:
    """A parsed request: method, path without query, query string, headers, body."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read one request; None if the peer closed before sending one."""
    line = await reader.readline()
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = min(int(headers.get("content-length", "0")), MAX_BODY_BYTES)
    body = await reader.readexactly(length) if length else b""
    parts = urlsplit(target)
    return HttpRequest(method.upper(), parts.path, parts.query, headers, body)


async def write_head(writer: asyncio.StreamWriter, status: int, headers: dict[str, str]) -> None:
    """Status line and headers."""
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in {**headers, "Connection": "close"}.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()


async def write_body(
    writer: asyncio.StreamWriter,
    status: int,
    content_type: str,
    body: bytes,
    extra: dict[str, str] | None = None,
) -> None:
    """A whole response with Content-Length."""
    headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **(extra or {})}
    await write_head(writer, status, headers)
    writer.write(body)
    await writer.drain()


async def write_json(
    writer: asyncio.StreamWriter, status: int, payload: Any, extra: dict[str, str] | None = None
) -> None:
    """A JSON response."""
    await write_body(writer, status, "application/json", json.dumps(payload).encode(), extra)


async def write_text(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    """A plain-text response."""
    await write_body(writer, status, "text/plain; charset=utf-8", text.encode())


async def write_stream_head(writer: asyncio.StreamWriter) -> None:
    """Headers of an SSE stream."""
    headers = {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "Transfer-Encoding": "chunked",
    }
    await write_head(writer, 200, headers)


async def write_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    """One chunk of a chunked body; empty data ends the body."""
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()
