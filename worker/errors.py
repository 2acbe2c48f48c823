"""The worker's exceptions.

Exceptions::

    WorkerError                 an operator-facing failure of a worker command (one line, exit 1)
    └── NotAModelServer         LLAMA_SWAP_URL answers, but not as an OpenAI-compatible server
    ServerNotReady              the model server does not answer yet (refused, 503 while loading)
    ChatError                   one chat completion failed (caught by the generate task)
    ├── ServerError             connection error, an HTTP error status, a broken stream, an error
    │                           sent inside the stream (in any of the forms worker/stream.py reads)
    └── GenerationTimeout       the generation ran past its deadline (holds the partial result)
"""

from __future__ import annotations

from typing import Any

from scheduler.errors import QuantsweepError
from worker.chat import ChatResult


class WorkerError(QuantsweepError):
    """A worker command cannot start: the CLI prints the message and exits 1."""


class NotAModelServer(WorkerError):
    """LLAMA_SWAP_URL is no OpenAI-compatible server (a permanent misconfiguration)."""


class ServerNotReady(Exception):
    """The model server does not answer yet (still starting or loading): worth waiting for."""


class ChatError(Exception):
    """A chat completion did not complete."""


class ServerError(ChatError):
    """The server failed; `retryable` says whether trying again may help.

    `status` is the HTTP status, or for an error sent inside a 200 stream the status its error
    object names (`code`, or its `type` in llama-server's table); `error_type` and `code` are the
    server's own; `retry_after_s` is the server's `Retry-After`, when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        error_type: str | None = None,
        code: str | int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.error_type = error_type
        self.code = code
        self.retry_after_s = retry_after_s

    def details(self) -> dict[str, Any]:
        """The error as stored with a generation: message, status, type, code (None when unknown)."""
        return {"message": str(self), "status": self.status, "type": self.error_type, "code": self.code}


class GenerationTimeout(ChatError):
    """The generation passed its deadline; `partial` is what had streamed by then."""

    def __init__(self, message: str, partial: ChatResult) -> None:
        super().__init__(message)
        self.partial = partial
