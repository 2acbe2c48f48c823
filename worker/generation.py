"""One generation with its outcome: ok, truncated, gen_timeout or server_error.

`finish_reason=length` is `truncated`; the deadline is `gen_timeout`; connection errors, 5xx and
429 are retried with exponential backoff a bounded number of times, then `server_error`. None of
these is a model's wrong answer: the grade task records them as infra verdicts, never as scores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scheduler.db.lifecycle import GenerationRecord
from scheduler.db.vocabulary import Outcome
from worker.client import ChatClient, ChatRequest, ChatResult
from worker.errors import GenerationTimeout, ServerError

MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing server is asked again."""

    retries: int = 3
    backoff_s: float = 5.0

    def pause_s(self, retry_number: int) -> float:
        """The pause before retry `retry_number` (1-based): backoff, doubled each time, capped."""
        return float(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (retry_number - 1)))


def generate_once(
    client: ChatClient,
    request: ChatRequest,
    policy: RetryPolicy,
    *,
    stop: threading.Event | None = None,
    on_retry: Callable[[int, ServerError], None] | None = None,
) -> GenerationRecord:
    """Run the request to an outcome; never raises for a server's failure."""
    errors: list[str] = []
    for number in range(policy.retries + 1):
        if number:
            pause_s = policy.pause_s(number)
            if stop is not None and stop.wait(pause_s):
                break
            if stop is None:
                threading.Event().wait(pause_s)
        try:
            result = client.complete(request)
        except GenerationTimeout as exc:
            return _record(Outcome.GEN_TIMEOUT, exc.partial, request, error=str(exc), tries=number + 1)
        except ServerError as exc:
            errors.append(str(exc))
            if on_retry is not None:
                on_retry(number + 1, exc)
            if not exc.retryable:
                break
            continue
        outcome = Outcome.TRUNCATED if result.finish_reason == "length" else Outcome.OK
        return _record(outcome, result, request, error=None, tries=number + 1)
    summary = f"{len(errors)} tries failed; last: {errors[-1]}" if errors else "stopped before a try"
    return GenerationRecord(
        outcome=Outcome.SERVER_ERROR,
        error=summary[:2000],
        server_info=_request_info(request, tries=len(errors)),
    )


def _record(
    outcome: Outcome, result: ChatResult, request: ChatRequest, *, error: str | None, tries: int
) -> GenerationRecord:
    return GenerationRecord(
        outcome=outcome,
        response_text=result.text,
        reasoning_text=result.reasoning_text,
        finish_reason=result.finish_reason,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        prompt_tps=result.prompt_tps,
        decode_tps=result.decode_tps,
        timings=result.timings,
        first_token_s=result.first_token_s,
        wall_s=result.wall_s,
        server_info={**_request_info(request, tries=tries), "system_fingerprint": result.system_fingerprint},
        error=error,
    )


def _request_info(request: ChatRequest, *, tries: int) -> dict[str, Any]:
    """What the record says about how it was asked for (reasoning, draft model, tries)."""
    return {
        "reasoning": request.options.get("reasoning", "server default"),
        "draft_model": request.options.get("draft_model"),
        "tries": tries,
    }
