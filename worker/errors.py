"""The worker's exceptions.

Exceptions: drawn with every other in the one error tree, scheduler/core/errors.py.
"""

from __future__ import annotations

from typing import Any

import redis

from scheduler.core.broker import redis_client
from scheduler.core.errors import QuantsweepError
from scheduler.core.settings import Settings, mask_url
from worker.chat import ChatResult


class WorkerError(QuantsweepError):
    """A worker command cannot start: the CLI prints the message and exits 1."""


class NotAModelServer(WorkerError):
    """LLAMA_SWAP_URL is no OpenAI-compatible server (a permanent misconfiguration)."""


class ServerNotReady(Exception):
    """The model server does not answer yet (still starting or loading): worth waiting for."""


class BrokerRefused(WorkerError):
    """Redis (REDIS_URL) refuses the connection's credentials: retrying will not help."""


def check_broker(settings: Settings) -> None:
    """Fail at once, naming REDIS_URL, when Redis refuses our credentials (Celery would retry 100 times).

    A Redis that is merely down is left to Celery, which waits for it as it should.
    """
    client = redis_client(settings.redis_url, connect_timeout_s=5)
    try:
        client.ping()
    except redis.exceptions.AuthenticationError as exc:
        raise BrokerRefused(
            f"Redis at REDIS_URL={mask_url(settings.redis_url)} refused the credentials ({exc}):"
            " fix the password in REDIS_URL"
        ) from None
    except redis.exceptions.ResponseError as exc:
        if "NOAUTH" not in str(exc) and "WRONGPASS" not in str(exc):
            raise
        raise BrokerRefused(
            f"Redis at REDIS_URL={mask_url(settings.redis_url)} needs a password: put it in REDIS_URL"
        ) from None
    except redis.exceptions.ConnectionError:
        pass
    finally:
        client.close()


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
