"""What a later turn is asked with: a chat turn sends the conversation as messages; a completion-style
turn (a base model continuing a file) gets it as comments above the file start."""

from __future__ import annotations

from exams.registry import exam_prompt
from exams.types import PromptStyle
from worker.chat import ChatRequest
from worker.turns import turn_prompt

EXAM = "go-tasks/reverse"
HISTORY = (
    ("func Reverse(s string) string { return s }", "Your file compiles, but 2 of 5 tests fail: A, B."),
)


def test_a_chat_turn_sends_the_earlier_answers_and_feedback_as_messages() -> None:
    prompt = exam_prompt(EXAM, PromptStyle.CHAT)
    text, history = turn_prompt(prompt, HISTORY)
    body = ChatRequest("m", text, 1, 0.0, 10, 1.0, history=history).body()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == prompt.text
    assert body["messages"][1]["content"] == HISTORY[0][0]
    assert body["messages"][2]["content"] == HISTORY[0][1]


def test_a_completion_turn_puts_the_conversation_in_comments_above_the_file_start() -> None:
    prompt = exam_prompt(EXAM, PromptStyle.COMPLETION)
    assert prompt.style is PromptStyle.COMPLETION
    text, history = turn_prompt(prompt, HISTORY)
    assert history == () and text.endswith(prompt.text)
    header = text[: -len(prompt.text)]
    assert all(line.startswith("//") for line in header.splitlines())
    assert "2 of 5 tests fail" in header and "return s" in header
    assert ChatRequest("m", text, 1, 0.0, 10, 1.0, style=PromptStyle.COMPLETION).body()["prompt"] == text


def test_a_first_turn_is_asked_as_before() -> None:
    for style in PromptStyle:
        prompt = exam_prompt(EXAM, style)
        assert turn_prompt(prompt, ()) == (prompt.text, ())
