"""The worker's exceptions.

Exceptions::

    WorkerError                 an operator-facing failure of a worker command (one line, exit 1)
    ├── ServerUnreachable       llama-swap / llama-server cannot be asked which models it serves
    └── BrokerRefused           Redis answers but refuses us (a wrong password, no such user)
    ChatError                   one chat completion failed (caught by the generate task)
    ├── ServerError             connection error, 5xx, 429, a broken stream, an error payload
    └── GenerationTimeout       the generation ran past its deadline (holds the partial result)
"""

from __future__ import annotations

import redis

from scheduler.errors import QuantsweepError
from scheduler.settings import Settings, mask_url
from worker.chat import ChatResult


class WorkerError(QuantsweepError):
    """A worker command cannot start: the CLI prints the message and exits 1."""


class ServerUnreachable(WorkerError):
    """The model server (LLAMA_SWAP_URL) does not answer."""


class BrokerRefused(WorkerError):
    """Redis (REDIS_URL) refuses the connection's credentials: retrying will not help."""


def check_broker(settings: Settings) -> None:
    """Fail at once, naming REDIS_URL, when Redis refuses our credentials (Celery would retry 100 times).

    A Redis that is merely down is left to Celery, which waits for it as it should.
    """
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5)
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
