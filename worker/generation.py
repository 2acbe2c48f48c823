"""One generation with its outcome: ok, truncated, gen_timeout or server_error.

`finish_reason=length` is `truncated`; the deadline is `gen_timeout`; connection errors, broken
streams, 5xx, 408 and 429 are retried a bounded number of times (after the server's `Retry-After`,
else with exponential backoff), then `server_error`; a client error (any other 4xx, see
worker/stream.py) is `server_error` at once, with the server's message, type and code. None of
these is a model's wrong answer: the grade task records them as infra verdicts, never as scores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scheduler.db.lifecycle import GenerationRecord
from scheduler.db.vocabulary import AnswerSource, Outcome
from worker.client import ChatClient, ChatRequest, ChatResult
from worker.errors import GenerationTimeout, ServerError

MAX_BACKOFF_S = 60.0
MAX_RETRY_AFTER_S = 600.0  # a longer Retry-After is treated as this long


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing server is asked again."""

    retries: int = 3
    backoff_s: float = 5.0

    def pause_s(self, retry_number: int, retry_after_s: float | None = None) -> float:
        """The pause before retry `retry_number` (1-based): the server's `Retry-After` when it sent
        one (capped at MAX_RETRY_AFTER_S), else backoff, doubled each time, capped at MAX_BACKOFF_S."""
        if retry_after_s is not None:
            return float(min(MAX_RETRY_AFTER_S, retry_after_s))
        return float(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (retry_number - 1)))


def generate_with_retries(
    client: ChatClient,
    request: ChatRequest,
    policy: RetryPolicy,
    *,
    stop: threading.Event | None = None,
    on_retry: Callable[[int, ServerError], None] | None = None,
) -> GenerationRecord:
    """Run the request to an outcome; never raises for a server's failure."""
    errors: list[ServerError] = []
    for number in range(policy.retries + 1):
        if number:
            pause_s = policy.pause_s(number, errors[-1].retry_after_s)
            if stop is not None and stop.wait(pause_s):
                break
            if stop is None:
                threading.Event().wait(pause_s)
        try:
            result = client.complete(request)
        except GenerationTimeout as exc:
            return _record(Outcome.GEN_TIMEOUT, exc.partial, request, error=str(exc), tries=number + 1)
        except ServerError as exc:
            errors.append(exc)
            if on_retry is not None:
                on_retry(number + 1, exc)
            if not exc.retryable:
                break
            continue
        outcome = Outcome.TRUNCATED if result.finish_reason == "length" else Outcome.OK
        return _record(outcome, result, request, error=None, tries=number + 1)
    info = _request_info(request, tries=len(errors))
    if not errors:
        return GenerationRecord(outcome=Outcome.SERVER_ERROR, error="stopped before a try", server_info=info)
    last = errors[-1]
    tries = f"{len(errors)} {'try' if len(errors) == 1 else 'tries'} failed"
    why = "" if last.retryable else " (not retried: asking again cannot succeed)"
    return GenerationRecord(
        outcome=Outcome.SERVER_ERROR,
        error=f"{tries}{why}; last: {last}"[:2000],
        server_info={**info, "server_error": last.details()},
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
        answer_source=answer_source(result, request),
    )


def answer_source(result: ChatResult, request: ChatRequest) -> AnswerSource:
    """Where the answer to grade is: `reasoning` when the server sent no content (blank) but did
    send `reasoning_content`, for a model whose catalog entry turns reasoning off; else `content`.

    Some llama-server builds stream a whole reply as `reasoning_content` even with thinking
    disabled. With thinking disabled no reasoning was asked for, so that text can only be the
    reply: grading it (and recording that we did) is right, and an empty answer would count a
    server's behaviour against the model. With reasoning on (or left to the server), reasoning
    without content is a model that thought and never answered: its content, empty, is graded.
    """
    reasoning_off = request.options.get("reasoning") is False
    if reasoning_off and not result.text.strip() and result.reasoning_text.strip():
        return AnswerSource.REASONING
    return AnswerSource.CONTENT


def _request_info(request: ChatRequest, *, tries: int) -> dict[str, Any]:
    """What the record says about how it was asked for (reasoning, draft model, tries)."""
    return {
        "reasoning": request.options.get("reasoning", "server default"),
        "draft_model": request.options.get("draft_model"),
        "tries": tries,
    }
