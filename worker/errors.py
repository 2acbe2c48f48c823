"""The worker's exceptions.

Exceptions::

    WorkerError                 an operator-facing failure of a worker command (one line, exit 1)
    └── ServerUnreachable       llama-swap / llama-server cannot be asked which models it serves
    ChatError                   one chat completion failed (caught by the generate task)
    ├── ServerError             connection error, 5xx, 429, a broken stream, an error payload
    └── GenerationTimeout       the generation ran past its deadline (holds the partial result)
"""

from __future__ import annotations

from scheduler.errors import QuantsweepError
from worker.chat import ChatResult


class WorkerError(QuantsweepError):
    """A worker command cannot start: the CLI prints the message and exits 1."""


class ServerUnreachable(WorkerError):
    """The model server (LLAMA_SWAP_URL) does not answer."""


class ChatError(Exception):
    """A chat completion did not complete."""


class ServerError(ChatError):
    """The server failed; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class GenerationTimeout(ChatError):
    """The generation passed its deadline; `partial` is what had streamed by then."""

    def __init__(self, message: str, partial: ChatResult) -> None:
        super().__init__(message)
        self.partial = partial
