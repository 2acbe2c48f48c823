"""What one chat completion is: the request sent to `POST /v1/chat/completions` and its result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChatRequest:
    """One generation: the model id, the exam prompt and the sweep's sampling settings."""

    model: str
    prompt: str
    seed: int
    temperature: float
    max_tokens: int
    timeout_s: float
    options: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The JSON body of `POST /v1/chat/completions`."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": self.prompt}],
            "seed": self.seed,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
            "cache_prompt": False,
        }
        kwargs = dict(self.options.get("chat_template_kwargs") or {})
        if self.options.get("reasoning") is False:
            kwargs["enable_thinking"] = False
        if kwargs:
            body["chat_template_kwargs"] = kwargs
        return body


@dataclass
class ChatResult:
    """What one streamed completion produced."""

    text: str = ""
    reasoning_text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    timings: dict[str, Any] | None = None
    first_token_s: float | None = None
    wall_s: float = 0.0
    system_fingerprint: str | None = None

    @property
    def decode_tps(self) -> float | None:
        """The server's decode rate (`timings.predicted_per_second`)."""
        return _number(self.timings, "predicted_per_second")

    @property
    def prompt_tps(self) -> float | None:
        """The server's prompt processing rate (`timings.prompt_per_second`)."""
        return _number(self.timings, "prompt_per_second")


def _number(data: Mapping[str, Any] | None, key: str) -> float | None:
    value = None if data is None else data.get(key)
    return float(value) if isinstance(value, int | float) else None
