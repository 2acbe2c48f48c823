"""What one generation is: the request (`POST /v1/chat/completions`, or `POST /v1/completions` for
a completion-style job) and its result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exams.types import PromptStyle

CHAT_PATH = "/v1/chat/completions"
COMPLETION_PATH = "/v1/completions"


@dataclass(frozen=True)
class ChatRequest:
    """One generation: the model id, the exam prompt and the sweep's sampling settings.

    With `style` completion the prompt is the start of the answer file, sent as the plain `prompt`
    of `/v1/completions` (OpenAI's completions API, streamed like chat: chunks carry
    `choices[].text`) with the exam's `stop` strings; the server's end of sequence also stops it."""

    model: str
    prompt: str
    seed: int
    temperature: float
    max_tokens: int
    timeout_s: float
    options: Mapping[str, Any] = field(default_factory=dict)
    style: PromptStyle = PromptStyle.CHAT
    stop: tuple[str, ...] = ()
    # Repair turns: the earlier turns as (answer, feedback) pairs, sent before `prompt` is answered
    # again as assistant and user messages (scheduler/db/turns.py); empty for a first turn.
    history: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        """The endpoint the request goes to."""
        return COMPLETION_PATH if self.style is PromptStyle.COMPLETION else CHAT_PATH

    def body(self) -> dict[str, Any]:
        """The JSON body of the request to `path`."""
        body: dict[str, Any] = {"model": self.model}
        if self.style is PromptStyle.COMPLETION:
            body["prompt"] = self.prompt
        else:
            body["messages"] = [{"role": "user", "content": self.prompt}]
            for answer, feedback in self.history:
                body["messages"] += [
                    {"role": "assistant", "content": answer},
                    {"role": "user", "content": feedback},
                ]
        if self.stop:
            body["stop"] = list(self.stop)
        body |= {
            "seed": self.seed,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
            "cache_prompt": False,
        }
        if self.style is PromptStyle.COMPLETION:
            return body  # no chat template is applied: its variables mean nothing here
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
