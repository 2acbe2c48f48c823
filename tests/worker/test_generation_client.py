"""The OpenAI-compatible client and generation outcomes, against the FAKE llama-swap over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from exams.types import PromptStyle
from scheduler.db.vocabulary import Outcome
from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from worker.client import ChatClient, ChatRequest
from worker.errors import ServerNotReady
from worker.generation import RetryPolicy, generate_with_retries

MODEL = "gpt-oss-20b"
V1_PROMPT = "Write factorial.go, wordfreq.go and filetreewalk.go as package main programs."
NO_WAIT = RetryPolicy(retries=3, backoff_s=0)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLlamaSwapProcess]:
    proc = start_fake_llama_swap([MODEL], load_time_s=0.05, decode_tps=5000)
    yield proc
    proc.stop()


@pytest.fixture
def client(fake: FakeLlamaSwapProcess) -> ChatClient:
    fake.reset()
    return ChatClient(fake.url)


def request(max_tokens: int = 100_000, timeout_s: float = 30, model: str = MODEL) -> ChatRequest:
    return ChatRequest(model, V1_PROMPT, seed=42, temperature=1.0, max_tokens=max_tokens, timeout_s=timeout_s)


def test_a_streamed_completion_records_text_tokens_and_the_servers_decode_rate(client: ChatClient) -> None:
    result = client.complete(request())
    assert result.finish_reason == "stop"
    assert "factorial" in result.text.lower()
    assert result.completion_tokens and result.completion_tokens > 10
    assert result.prompt_tokens and result.prompt_tokens > 0
    assert result.timings is not None
    assert result.decode_tps == result.timings["predicted_per_second"]
    assert result.first_token_s is not None and 0 <= result.first_token_s <= result.wall_s


def test_finish_reason_length_is_recorded_as_truncated(client: ChatClient) -> None:
    record = generate_with_retries(client, request(max_tokens=20), NO_WAIT)
    assert record.outcome == Outcome.TRUNCATED
    assert record.finish_reason == "length"
    assert record.completion_tokens == 20


def test_server_errors_are_retried_until_the_server_answers(
    client: ChatClient, fake: FakeLlamaSwapProcess
) -> None:
    fake.fail_next("500", 2)
    record = generate_with_retries(client, request(), NO_WAIT)
    assert record.outcome == Outcome.OK
    assert record.server_info["tries"] == 3


def test_a_dropped_stream_is_retried(client: ChatClient, fake: FakeLlamaSwapProcess) -> None:
    fake.fail_next("drop", 1)
    record = generate_with_retries(client, request(), NO_WAIT)
    assert record.outcome == Outcome.OK
    assert record.server_info["tries"] == 2


def test_retries_are_bounded_and_end_as_server_error(client: ChatClient, fake: FakeLlamaSwapProcess) -> None:
    fake.fail_next("500", 10)
    record = generate_with_retries(client, request(), RetryPolicy(retries=2, backoff_s=0))
    assert record.outcome == Outcome.SERVER_ERROR
    assert record.error and record.error.startswith("3 tries failed")
    assert record.response_text == ""


def test_an_unknown_model_is_a_server_error_without_retries(
    client: ChatClient, fake: FakeLlamaSwapProcess
) -> None:
    record = generate_with_retries(client, request(model="no-such-model"), NO_WAIT)
    assert record.outcome == Outcome.SERVER_ERROR
    assert "404" in (record.error or "")
    assert len(fake.stats()["requests"]) == 1


def test_a_hung_server_ends_as_gen_timeout_not_an_answer(
    client: ChatClient, fake: FakeLlamaSwapProcess
) -> None:
    fake.fail_next("hang", 1)
    record = generate_with_retries(client, request(timeout_s=1.0), NO_WAIT)
    assert record.outcome == Outcome.GEN_TIMEOUT
    assert record.wall_s is not None and record.wall_s >= 1.0


def test_reasoning_off_in_the_catalog_sets_the_template_variable() -> None:
    body = ChatRequest(MODEL, "p", 1, 1.0, 10, 10, options={"reasoning": False}).body()
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["cache_prompt"] is False
    assert body["stream_options"] == {"include_usage": True}
    assert "chat_template_kwargs" not in ChatRequest(MODEL, "p", 1, 1.0, 10, 10, options={}).body()


def test_served_models_come_from_v1_models(client: ChatClient) -> None:
    assert client.served_models() == [MODEL]


def test_a_server_that_does_not_answer_yet_names_the_variable() -> None:
    with pytest.raises(ServerNotReady, match="LLAMA_SWAP_URL=http://127.0.0.1:9"):
        ChatClient("http://127.0.0.1:9").served_models()


def test_a_completion_style_request_streams_from_v1_completions_with_its_stop_strings(
    client: ChatClient, fake: FakeLlamaSwapProcess
) -> None:
    completion = ChatRequest(
        MODEL, V1_PROMPT, 42, 1.0, 100_000, 30, options={"reasoning": False},
        style=PromptStyle.COMPLETION, stop=("\npackage ",),
    )  # fmt: skip
    body = completion.body()
    assert completion.path == "/v1/completions"
    assert body["prompt"] == V1_PROMPT and "messages" not in body
    assert body["stop"] == ["\npackage "] and "chat_template_kwargs" not in body
    chat = client.complete(request())
    result = client.complete(completion)
    # The same recording, streamed as completion chunks (choices[].text), with usage and timings.
    assert result.text == chat.text and result.finish_reason == "stop"
    assert result.completion_tokens == chat.completion_tokens and result.decode_tps
    log = fake.stats()["requests"]
    assert [entry["stream"] for entry in log] == [True, True]


def test_the_servers_build_comes_from_props(client: ChatClient) -> None:
    info = client.server_info(MODEL)
    assert info["build_info"] == "b0000-fakeswap"
    assert info["model_path"].endswith(f"{MODEL}.gguf") and info["total_slots"] == 1
