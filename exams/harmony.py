"""Raw Harmony text (gpt-oss): which part of a response is the answer.

With llama-server's reasoning parser off, gpt-oss output reaches us in OpenAI's Harmony format
(openai/harmony, "OpenAI Harmony Response Format"), markers and all::

    <|channel|>analysis<|message|>drafts ...<|end|><|start|>assistant<|channel|>final<|message|>answer<|return|>

A message is an optional `<|start|>ROLE` header, `<|channel|>NAME` (optionally followed by
` to=RECIPIENT` and `<|constrain|>FORMAT`), then `<|message|>` and its text, which ends at
`<|end|>`, `<|return|>`, `<|call|>`, the next `<|start|>`, or the end of the text (a cut-off
message). Only the `final` channel is the answer; `analysis` (chain of thought) and `commentary`
(tool calls and preambles) are reasoning, as is a channel we do not know. Text without a `final`
channel therefore has no answer: an empty answer, which the exams grade `truncated` when the
server stopped at `max_tokens` (finish_reason "length") and `extract_fail` otherwise, the same
rule as for reasoning that never closed its `<think>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKERS = ("<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>", "<|call|>")
ANSWER_CHANNEL = "final"
_MESSAGE_END = re.compile(r"<\|(?:end|return|call|start)\|>")
_HEADER = re.compile(
    r"(?:<\|start\|>[^<]*)?<\|channel\|>(?P<channel>[^<]*?)(?:<\|constrain\|>[^<]*)?<\|message\|>"
)


@dataclass(frozen=True)
class HarmonyMessage:
    """One message of a Harmony text: its channel and its text."""

    channel: str
    text: str


def is_harmony(text: str) -> bool:
    """True when the text carries a Harmony channel header."""
    return "<|channel|>" in text and "<|message|>" in text


def parse_messages(text: str) -> list[HarmonyMessage]:
    """The channel messages of a Harmony text, in order (text outside any message is dropped)."""
    messages = []
    position = 0
    while (header := _HEADER.search(text, position)) is not None:
        body_start = header.end()
        end = _MESSAGE_END.search(text, body_start)
        body_end = end.start() if end else len(text)
        channel = header.group("channel").strip().split(" ", 1)[0]  # `commentary to=functions.x`
        messages.append(HarmonyMessage(channel, text[body_start:body_end]))
        position = body_end if end is None or end.group() == "<|start|>" else end.end()
    return messages


def answer_text(text: str) -> str:
    """The `final` channel's text (messages joined), or "" when the text has no final channel."""
    answer = "\n".join(m.text for m in parse_messages(text) if m.channel == ANSWER_CHANNEL)
    for marker in MARKERS:  # a stray marker inside the final text is never the answer's
        answer = answer.replace(marker, "")
    return answer
