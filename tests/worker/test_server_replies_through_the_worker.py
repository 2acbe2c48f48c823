"""What real servers send, through the whole path: a recorded body served on 127.0.0.1, a real
`worker gpu` and `worker cpu`, and the generation and grade read back from Postgres."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from scheduler.core.settings import Settings
from scheduler.reports.report import build_report
from testkit.fakes.recorded_server import RecordedServer, Reply, content_stream
from testkit.workers import insert_jobs, query, run_jobs
from tests.support.paths import STREAMS_DIR as STREAMS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(280)]

REASONING_OFF, GPT_OSS = "qwen3-coder-off", "gpt-oss-20b"
PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": 16384, "timeout_s": 60}
ENV = {"GENERATION_BACKOFF_S": "0", "GENERATION_RETRIES": "3", "WORKER_HOST": "replay", "DISPATCH": "all"}
V1_ANSWER = "".join(
    json.loads(line[6:])["choices"][0]["delta"].get("reasoning_content", "")
    for line in (STREAMS / "reasoning-only-v1.sse").read_text().splitlines()
    if line.startswith("data: {") and json.loads(line[6:])["choices"]
)
ANALYSIS_ONLY = (STREAMS / "harmony-analysis-only-v1.txt").read_text()
WRONG_DRAFT = V1_ANSWER.replace("n *= i + 1", "n += i")


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer([GPT_OSS, REASONING_OFF]).start()
    yield recorded
    recorded.stop()


def sse(name: str) -> Reply:
    return Reply((STREAMS / name).read_bytes())


# seed -> (model, replies, expected verdict, expected score)
CASES: dict[int, tuple[str, list[Reply], str, float]] = {
    1: (REASONING_OFF, [sse("error-data-400.sse")], "server_error", 0),
    2: (REASONING_OFF, [sse("error-field-400.sse")], "server_error", 0),
    3: (REASONING_OFF, [sse("reasoning-only-v1.sse")], "ok", 15),
    4: (GPT_OSS, [Reply(content_stream(ANALYSIS_ONLY, finish_reason="stop"))], "extract_fail", 0),
    5: (GPT_OSS, [Reply(content_stream(ANALYSIS_ONLY, finish_reason="length"))], "truncated", 0),
    6: (
        GPT_OSS,
        [
            Reply(
                content_stream(
                    f"<|channel|>analysis<|message|>{WRONG_DRAFT}<|end|><|start|>assistant<|channel|>final<|message|>"
                    f"{V1_ANSWER}<|return|>"
                )
            )
        ],
        "ok",
        15,
    ),
    7: (
        GPT_OSS,
        [
            Reply(b"unable to start process: upstream command exited prematurely", 502, "text/plain"),
            Reply(
                json.dumps({"error": {"message": "Too many requests", "type": "rate_limit_error"}}).encode(),
                429,
                "application/json",
                {"Retry-After": "1"},
            ),
            Reply(content_stream(V1_ANSWER, timings={"draft_n": 200, "draft_n_accepted": 150})),
        ],
        "ok",
        15,
    ),
    8: (
        GPT_OSS,
        [Reply(b"unable to start process: upstream command exited prematurely", 502, "text/plain")],
        "server_error",
        0,
    ),
}


def generation_of(database_url: str, seed: int) -> dict[str, object]:
    rows = query(
        database_url,
        "SELECT g.outcome, g.response_text, g.reasoning_text, g.answer_source, g.error, g.server_info,"
        " r.verdict, r.score, r.log FROM jobs j JOIN generations g ON g.job_id = j.id"
        " JOIN grades r ON r.generation_id = g.id WHERE j.seed = %s",
        (seed,),
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_each_kind_of_server_reply_gets_its_right_verdict_through_the_worker(
    settings: Settings, server: RecordedServer, tmp_path: Path
) -> None:
    job_ids = []
    for seed, (model, replies, _, _) in CASES.items():
        server.queue(seed, *replies)
        options = {"reasoning": False} if model == REASONING_OFF else {}
        job_ids += insert_jobs(settings.database_url, model, ["v1"], [seed], {**PARAMS, "options": options})
    models = {job_id: CASES[seed][0] for seed, job_id in zip(CASES, job_ids, strict=True)}
    run_jobs(settings.database_url, settings.redis_url, tmp_path, models, LLAMA_SWAP_URL=server.url, **ENV)

    for seed, (_, _, verdict, score) in CASES.items():
        row = generation_of(settings.database_url, seed)
        assert (row["verdict"], row["score"]) == (verdict, score), (seed, row)

    # Case 05: the server's message, type and code, one request each (a 400 is never retried).
    for seed in (1, 2):
        row = generation_of(settings.database_url, seed)
        assert "exceeds the available context size" in str(row["error"])
        assert row["server_info"]["server_error"]["type"] == "exceed_context_size_error"  # type: ignore[index]
        assert server.requests[f"/v1/chat/completions seed={seed}"] == 1
    # Case 07: graded from the reasoning, recorded as such, content and reasoning kept apart.
    row = generation_of(settings.database_url, 3)
    assert row["answer_source"] == "reasoning" and row["response_text"] == ""
    assert "#START factorial.go#" in str(row["reasoning_text"])
    assert "answer_source=reasoning" in str(row["log"])
    # Harmony: content stays as sent; the answer is the final channel only.
    assert generation_of(settings.database_url, 6)["answer_source"] == "content"
    # 502 (plain text) and 429 (Retry-After) are retried; llama-swap's own text is kept.
    assert server.requests["/v1/chat/completions seed=7"] == 3
    assert server.requests["/v1/chat/completions seed=8"] == 4
    assert "upstream command exited prematurely" in str(generation_of(settings.database_url, 8)["error"])

    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        report = build_report(conn, "test")
    speed = next(t for t in report.tables if t.id == "speed")
    gpt_row = next(r for r in speed.rows if r[0] == GPT_OSS)
    assert gpt_row[speed.columns.index("Draft accepted")] == "75% (150/200)"
    outcomes = next(t for t in report.tables if t.id == "outcomes")
    assert any(f"{REASONING_OFF} v1: 1" in note for note in outcomes.notes)
