"""The chat client against every form a server sends, through httpx.MockTransport (no sockets).

Bodies in tests/support/streams/ are whole recorded responses; the others are written here, one per form
of the SSE specification or of a server's error.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from scheduler.db.vocabulary import Outcome
from tests.support.paths import STREAMS_DIR as STREAMS
from worker.client import ChatClient, ChatRequest
from worker.errors import ServerError
from worker.generation import MAX_RETRY_AFTER_S, RetryPolicy, generate_with_retries
from worker.stream import retry_after_s

SSE = "text/event-stream"
REQUEST = ChatRequest("m", "prompt", seed=1, temperature=1.0, max_tokens=100, timeout_s=30)


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> str:
    body = {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return json.dumps(body)


def stream_of(*texts: str, finish_reason: str = "stop", newline: str = "\n") -> bytes:
    events = [f"data: {chunk({'content': t})}" for t in texts]
    events.append(f"data: {chunk({}, finish_reason)}")
    events.append("data: [DONE]")
    return newline.join(e + newline for e in events).encode()


class Replies:
    """A MockTransport handler answering each request with the next reply, counting requests."""

    def __init__(self, replies: Sequence[httpx.Response]) -> None:
        self.replies = list(replies)
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        reply = self.replies[min(self.count, len(self.replies) - 1)]
        self.count += 1
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)


def client_for(*replies: httpx.Response) -> tuple[ChatClient, Replies]:
    handler = Replies(replies)
    return ChatClient("http://server", transport=httpx.MockTransport(handler)), handler


def reply(body: bytes | str, status: int = 200, content_type: str = SSE, **headers: str) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, headers={"content-type": content_type, **headers}, content=content)


class RecordingStop(threading.Event):
    """A stop event that never fires and records each pause asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout)
        return False


def run(client: ChatClient, retries: int = 3) -> tuple[Any, RecordingStop]:
    stop = RecordingStop()
    return generate_with_retries(
        client, REQUEST, RetryPolicy(retries=retries, backoff_s=1.0), stop=stop
    ), stop


# --- the SSE specification -------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_of_the_specification_reads_the_same_text(newline: str) -> None:
    client, _ = client_for(reply(stream_of("package ", "main\n", newline=newline)))
    assert client.complete(REQUEST).text == "package main\n"


def test_comments_id_retry_unknown_fields_and_data_without_a_space_are_read_to_the_specification() -> None:
    body = (
        ": ping\n\n"
        "id: 7\nretry: 3000\n\n"
        f"event: message\nx-unknown: ignored\ndata:{chunk({'content': 'a'})}\n\n"
        f"data: {chunk({'content': 'b'})}\n\n"
        f"data: {chunk({}, 'stop')}\n\n"
        "data: [DONE]\n\n"
    )
    client, _ = client_for(reply(body))
    result = client.complete(REQUEST)
    assert (result.text, result.finish_reason) == ("ab", "stop")


def test_one_event_split_over_several_data_lines_is_joined_with_newlines() -> None:
    text = chunk({"content": "x"})
    half = len(text) // 2
    body = f"data: {text[:half]}\ndata: {text[half:]}\n\ndata: {chunk({}, 'stop')}\n\ndata: [DONE]\n\n"
    client, _ = client_for(reply(body))
    assert client.complete(REQUEST).text == "x"


def test_a_stream_that_ends_without_a_finish_reason_is_a_retried_server_error() -> None:
    body = f"data: {chunk({'content': 'partial'})}\n\n"
    client, handler = client_for(reply(body), reply(stream_of("whole")))
    record, _ = run(client)
    assert record.outcome == Outcome.OK
    assert record.response_text == "whole"
    assert handler.count == 2


# --- errors inside a 200 stream ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["error-data-400.sse", "error-field-400.sse"])
def test_a_400_in_the_stream_is_a_server_error_with_the_servers_message_and_is_not_retried(name: str) -> None:
    client, handler = client_for(reply((STREAMS / name).read_bytes()))
    record, stop = run(client)
    assert record.outcome == Outcome.SERVER_ERROR
    assert "exceeds the available context size" in (record.error or "")
    assert record.server_info["server_error"]["status"] == 400
    assert record.server_info["server_error"]["type"] == "exceed_context_size_error"
    assert record.server_info["server_error"]["code"] == 400
    assert handler.count == 1 and stop.pauses == []


ERROR = {"code": 400, "message": "invalid grammar", "type": "invalid_request_error"}
NOT_RETRIED_FORMS = {
    "event error": f"event: error\ndata: {json.dumps({'error': ERROR})}\n\n",
    "error field after content": f"data: {chunk({'content': 'a'})}\n\nerror: {json.dumps(ERROR)}\n\ndata: [DONE]\n\n",
    "error field, CRLF": f"error: {json.dumps(ERROR)}\r\n\r\ndata: [DONE]\r\n\r\n",
    "unframed error body": json.dumps({"error": ERROR}) + "\n",
    "error object without code": f"data: {json.dumps({'error': {'message': 'invalid grammar', 'type': 'invalid_request_error'}})}\n\n",
}


@pytest.mark.parametrize("form", sorted(NOT_RETRIED_FORMS))
def test_every_form_of_a_client_error_in_the_stream_keeps_the_message_and_is_not_retried(form: str) -> None:
    client, handler = client_for(reply(NOT_RETRIED_FORMS[form]))
    record, _ = run(client)
    assert record.outcome == Outcome.SERVER_ERROR
    assert "invalid grammar" in (record.error or "")
    assert record.server_info["server_error"]["status"] == 400
    assert handler.count == 1


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ({"message": "slot crashed", "type": "server_error"}, 500),
        ({"message": "Loading model", "type": "unavailable_error", "code": 503}, 503),
    ],
)
def test_a_server_side_error_in_the_stream_is_retried(error: dict[str, Any], status: int) -> None:
    client, handler = client_for(reply(f"data: {json.dumps({'error': error})}\n\n"), reply(stream_of("ok")))
    record, _ = run(client)
    assert record.outcome == Outcome.OK and handler.count == 2
    with pytest.raises(ServerError) as caught:
        client_for(reply(f"data: {json.dumps({'error': error})}\n\n"))[0].complete(REQUEST)
    assert caught.value.status == status and error["message"] in str(caught.value)


def test_the_error_field_is_found_after_a_stream_longer_than_the_kept_tail() -> None:
    long_text = "x" * 1000
    body = "".join(f"data: {chunk({'content': long_text})}\n\n" for _ in range(200))
    body += f"error: {json.dumps(ERROR)}\n\ndata: [DONE]\n\n"
    with pytest.raises(ServerError, match="invalid grammar") as caught:
        client_for(reply(body))[0].complete(REQUEST)
    assert caught.value.status == 400 and not caught.value.retryable


def test_plain_text_in_the_stream_is_shown_when_the_stream_ends_unfinished() -> None:
    body = f"data: {chunk({'content': 'a'})}\n\nupstream went away\n"
    with pytest.raises(ServerError, match="upstream went away") as caught:
        client_for(reply(body))[0].complete(REQUEST)
    assert caught.value.retryable


def test_a_200_that_is_not_an_event_stream_is_a_server_error_with_its_body() -> None:
    body = json.dumps({"error": {"code": 404, "message": "model not found", "type": "not_found_error"}})
    client, handler = client_for(reply(body, content_type="application/json"))
    record, _ = run(client)
    assert record.outcome == Outcome.SERVER_ERROR
    assert "model not found" in (record.error or "") and handler.count == 1


# --- HTTP statuses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "tries"),
    [(400, 1), (401, 1), (404, 1), (422, 1), (501, 1), (408, 4), (500, 4), (502, 4), (503, 4)],
)
def test_client_errors_are_not_retried_and_transient_ones_are(status: int, tries: int) -> None:
    body = json.dumps({"error": {"message": f"status {status}", "type": "x", "code": status}})
    client, handler = client_for(reply(body, status, "application/json"))
    record, _ = run(client)
    assert record.outcome == Outcome.SERVER_ERROR
    assert handler.count == tries
    assert f"status {status}" in (record.error or "")


def test_llama_swaps_plain_text_error_is_kept_whole() -> None:
    text = "unable to start process: upstream command exited prematurely"
    client, _ = client_for(reply(text, 502, "text/plain; charset=utf-8"))
    record, _ = run(client, retries=0)
    assert record.error is not None and text in record.error
    assert record.server_info["server_error"]["status"] == 502


def test_llama_swaps_json_envelope_keeps_its_type_and_code() -> None:
    envelope = {
        "src": "llama-swap",
        "error": {
            "message": "no local server found for requested model",
            "type": "invalid_request_error",
            "param": None,
            "code": "not_found",
        },
    }
    client, handler = client_for(reply(json.dumps(envelope), 404, "application/json"))
    record, _ = run(client)
    assert record.server_info["server_error"] == {
        "message": "HTTP 404: invalid_request_error: no local server found for requested model",
        "status": 404,
        "type": "invalid_request_error",
        "code": "not_found",
    }
    assert handler.count == 1


@pytest.mark.parametrize(
    ("header", "pause"),
    [("2", 2.0), ("0", 0.0), ("100000", MAX_RETRY_AFTER_S), (None, 1.0), ("soon", 1.0)],
)
def test_429_waits_as_long_as_retry_after_says(header: str | None, pause: float) -> None:
    headers = {} if header is None else {"retry-after": header}
    limited = reply(
        json.dumps({"error": {"message": "Too many requests"}}), 429, "application/json", **headers
    )
    client, handler = client_for(limited, reply(stream_of("ok")))
    record, stop = run(client)
    assert record.outcome == Outcome.OK and handler.count == 2
    assert stop.pauses == [pause]


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert retry_after_s(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_s(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0


# --- where the answer is: content or reasoning_content ---------------------------------------


def reasoning_stream(reasoning: str, content: str = "") -> bytes:
    events = [f"data: {chunk({'reasoning_content': reasoning})}"]
    if content:
        events.append(f"data: {chunk({'content': content})}")
    events += [f"data: {chunk({}, 'stop')}", "data: [DONE]"]
    return "".join(e + "\n\n" for e in events).encode()


@pytest.mark.parametrize(
    ("options", "content", "source"),
    [
        ({"reasoning": False}, "", "reasoning"),
        ({"reasoning": False}, "\n \n", "reasoning"),
        ({"reasoning": False}, "the answer", "content"),
        ({"reasoning": True}, "", "content"),
        ({}, "", "content"),
    ],
    ids=["off, no content", "off, blank content", "off, with content", "on", "server default"],
)
def test_the_reasoning_is_graded_only_when_reasoning_is_off_and_no_content_came(
    options: dict[str, Any], content: str, source: str
) -> None:
    client, _ = client_for(reply(reasoning_stream("package main", content)))
    request = ChatRequest("m", "p", 1, 1.0, 100, 30, options=options)
    record = generate_with_retries(client, request, RetryPolicy(retries=0))
    assert record.answer_source == source
    assert (record.response_text, record.reasoning_text) == (content, "package main")


def test_an_empty_answer_beside_reasoning_says_so_in_the_grade_log() -> None:
    from scheduler.db.lifecycle import StoredGeneration
    from worker.grading import grade_generation

    base: dict[str, Any] = {
        "id": 1,
        "job_id": 1,
        "exam": "v1",
        "outcome": "ok",
        "response_text": "",
        "finish_reason": "stop",
        "error": None,
        "reasoning_text": "#START factorial.go#\npackage main\n#END factorial.go#\n",
    }
    thought_only = grade_generation(StoredGeneration(**base))
    assert thought_only.verdict == "extract_fail"
    assert f"server sent {len(base['reasoning_text'])} characters of reasoning only" in thought_only.log
    from_reasoning = grade_generation(StoredGeneration(**base, answer_source="reasoning"))
    assert "answer_source=reasoning" in from_reasoning.log
