"""The FAKE llama-swap speaks llama-swap's and llama-server's protocol and swaps like llama-swap."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from testkit.fakes.launcher import FakeLlamaSwapProcess, start_fake_llama_swap
from testkit.fakes.own_recordings import own_recordings_dir

RECORDED = own_recordings_dir()
V1_PROMPT = "Write factorial.go, wordfreq.go and filetreewalk.go."


@pytest.fixture
def fake() -> Iterator[FakeLlamaSwapProcess]:
    proc = start_fake_llama_swap(["gpt-oss-20b", "gemma4-26b-q4km"], load_time_s=0.3, decode_tps=2000)
    yield proc
    proc.stop()


def chat(
    url: str, model: str, *, stream: bool, seed: int = 42, timeout_s: float = 30, **extra: Any
) -> dict[str, Any]:
    """Send one chat request; return the joined text, finish_reason, usage, timings and raw chunks."""
    body = {
        "model": model,
        "seed": seed,
        "stream": stream,
        "messages": [{"role": "user", "content": V1_PROMPT}],
    }
    body.update(extra)
    if not stream:
        resp = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=timeout_s)
        resp.raise_for_status()
        full = resp.json()
        choice = full["choices"][0]
        return {
            "text": choice["message"]["content"],
            "finish_reason": choice["finish_reason"],
            "usage": full["usage"],
            "timings": full["timings"],
            "chunks": [full],
        }
    chunks: list[Any] = []
    with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=timeout_s) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if line.startswith("data: "):
                data = line.removeprefix("data: ")
                chunks.append(data if data == "[DONE]" else json.loads(data))
    parsed = [c for c in chunks if c != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in parsed if c["choices"])
    finish = [
        c["choices"][0]["finish_reason"] for c in parsed if c["choices"] and c["choices"][0]["finish_reason"]
    ]
    usage = [c["usage"] for c in parsed if "usage" in c]
    return {
        "text": text,
        "finish_reason": finish[-1] if finish else None,
        "usage": usage[-1] if usage else None,
        "timings": parsed[-1].get("timings"),
        "chunks": chunks,
    }


def test_models_and_running_have_llama_swaps_shape(fake: FakeLlamaSwapProcess) -> None:
    models = httpx.get(f"{fake.url}/v1/models").json()
    assert models["object"] == "list"
    assert [m["id"] for m in models["data"]] == ["gemma4-26b-q4km", "gpt-oss-20b"]
    assert all(m["owned_by"] == "llama-swap" and m["object"] == "model" for m in models["data"])
    assert httpx.get(f"{fake.url}/running").json() == {"running": []}
    assert httpx.get(f"{fake.url}/health").text == "OK"
    chat(fake.url, "gpt-oss-20b", stream=False)
    running = httpx.get(f"{fake.url}/running").json()["running"]
    assert [(r["model"], r["state"]) for r in running] == [("gpt-oss-20b", "ready")]
    assert set(running[0]) == {"model", "state", "cmd", "proxy", "ttl", "name", "description"}


def test_unknown_model_gets_llama_swaps_404_envelope(fake: FakeLlamaSwapProcess) -> None:
    resp = httpx.post(f"{fake.url}/v1/chat/completions", json={"model": "llama-70b", "messages": []})
    assert resp.status_code == 404
    body = resp.json()
    assert body["src"] == "llama-swap"
    assert body["error"]["message"] == "no local server found for requested model"
    assert fake.loads() == {}


def test_stream_replays_the_recorded_response_exactly(fake: FakeLlamaSwapProcess) -> None:
    got = chat(fake.url, "gpt-oss-20b", stream=True, seed=123, stream_options={"include_usage": True})
    recorded = (RECORDED / "exam_v1" / "gpt-oss-20b" / "seed123" / "response.txt").read_text()
    tokens = json.loads((RECORDED / "exam_v1" / "gpt-oss-20b" / "seed123" / "result.json").read_text())[
        "tokens"
    ]
    assert got["text"] == recorded
    assert got["finish_reason"] == "stop"
    assert got["usage"]["completion_tokens"] == tokens
    assert got["timings"]["predicted_n"] == tokens
    assert got["timings"]["predicted_per_second"] > 0
    chunks = got["chunks"]
    assert chunks[-1] == "[DONE]"
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    assert chunks[-2]["choices"] == [] and "timings" in chunks[-2] and "usage" in chunks[-2]
    assert chunks[-3]["choices"][0]["delta"] == {} and "timings" not in chunks[-3]


def test_stream_without_include_usage_puts_timings_on_the_finish_chunk(fake: FakeLlamaSwapProcess) -> None:
    got = chat(fake.url, "gpt-oss-20b", stream=True)
    assert got["usage"] is None
    last = got["chunks"][-2]
    assert last["choices"][0]["finish_reason"] == "stop" and "timings" in last


def test_max_tokens_cuts_the_replay_with_finish_reason_length(fake: FakeLlamaSwapProcess) -> None:
    full = chat(fake.url, "gemma4-26b-q4km", stream=False, seed=456)
    cut = chat(
        fake.url,
        "gemma4-26b-q4km",
        stream=True,
        seed=456,
        max_tokens=25,
        stream_options={"include_usage": True},
    )
    assert cut["finish_reason"] == "length"
    assert cut["usage"]["completion_tokens"] == 25
    assert full["text"].startswith(cut["text"]) and len(cut["text"]) < len(full["text"])


def test_same_model_is_loaded_once_and_a_swap_is_counted(fake: FakeLlamaSwapProcess) -> None:
    for seed in (42, 123, 456):
        chat(fake.url, "gpt-oss-20b", stream=False, seed=seed)
    chat(fake.url, "gemma4-26b-q4km", stream=False)
    chat(fake.url, "gpt-oss-20b", stream=False)
    assert fake.loads() == {"gpt-oss-20b": 2, "gemma4-26b-q4km": 1}
    assert [e["model"] for e in fake.stats()["load_events"]] == [
        "gpt-oss-20b",
        "gemma4-26b-q4km",
        "gpt-oss-20b",
    ]


def test_swap_waits_for_the_loaded_models_requests_to_drain() -> None:
    proc = start_fake_llama_swap(["gpt-oss-20b", "gemma4-26b-q4km"], load_time_s=0.1, decode_tps=400)
    try:
        first = threading.Thread(target=chat, args=(proc.url, "gemma4-26b-q4km"), kwargs={"stream": True})
        first.start()
        while not any("started_at" in r for r in proc.stats()["requests"]):
            time.sleep(0.01)
        chat(proc.url, "gpt-oss-20b", stream=False)
        first.join()
        by_model = {r["model"]: r for r in proc.stats()["requests"]}
        assert by_model["gpt-oss-20b"]["started_at"] >= by_model["gemma4-26b-q4km"]["finished_at"]
        assert proc.loads() == {"gemma4-26b-q4km": 1, "gpt-oss-20b": 1}
    finally:
        proc.stop()


def test_planned_500_fails_only_the_next_request(fake: FakeLlamaSwapProcess) -> None:
    fake.fail_next("500")
    resp = httpx.post(f"{fake.url}/v1/chat/completions", json={"model": "gpt-oss-20b", "messages": []})
    assert resp.status_code == 500 and resp.json()["src"] == "llama-swap"
    assert chat(fake.url, "gpt-oss-20b", stream=False)["finish_reason"] == "stop"


def test_dropped_stream_ends_without_a_finish_chunk(fake: FakeLlamaSwapProcess) -> None:
    fake.fail_next("drop")
    with pytest.raises(httpx.HTTPError):
        chat(fake.url, "gpt-oss-20b", stream=True)
    assert chat(fake.url, "gpt-oss-20b", stream=True)["finish_reason"] == "stop"


def test_hung_request_is_released_when_its_caller_goes_away(fake: FakeLlamaSwapProcess) -> None:
    fake.fail_next("hang")
    with pytest.raises(httpx.ReadTimeout):
        chat(fake.url, "gpt-oss-20b", stream=False, timeout_s=0.5)
    assert chat(fake.url, "gemma4-26b-q4km", stream=False)["finish_reason"] == "stop"
    assert fake.loads() == {"gpt-oss-20b": 1, "gemma4-26b-q4km": 1}
