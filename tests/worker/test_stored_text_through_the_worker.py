"""Any text a server sends is stored and graded, through real workers (field case 26): a recorded
body served on 127.0.0.1 streams answers holding a NUL, a lone surrogate, and a figure Postgres
cannot hold; each job is generated once, graded ok, and its stored answer is the sent text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.core.settings import Settings
from scheduler.db import lifecycle
from testkit.fakes.recorded_server import RecordedServer, Reply, content_stream
from testkit.workers import insert_jobs, query, run_jobs
from tests.support.field_cases import field_case

pytestmark = [pytest.mark.slow, pytest.mark.timeout(280)]

MODEL = "qwen3-coder"
PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": 16384, "timeout_s": 60, "options": {}}
ENV = {"GENERATION_BACKOFF_S": "0", "GENERATION_RETRIES": "3", "WORKER_HOST": "replay", "DISPATCH": "all"}


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer([MODEL]).start()
    yield recorded
    recorded.stop()


def with_completion_tokens(body: bytes, tokens: int) -> bytes:
    """The body with its usage's completion_tokens replaced (a server's figure out of any column's range)."""
    lines = []
    for line in body.decode().split("\n"):
        if line.startswith("data: {") and '"usage"' in line:
            payload = json.loads(line[6:])
            payload["usage"]["completion_tokens"] = tokens
            line = "data: " + json.dumps(payload)
        lines.append(line)
    return "\n".join(lines).encode()


def test_answers_postgres_text_refuses_are_generated_once_graded_and_stored_as_sent(
    settings: Settings, server: RecordedServer, tmp_path: Path
) -> None:
    case_26 = field_case("26-nul-byte-in-answer.txt")
    answers = {
        1: case_26,
        2: case_26.replace("Here is the file.\x00", "Here \ud83d is the file \\u0000 (not a NUL)."),
        3: case_26,
    }
    bodies = {seed: content_stream(text) for seed, text in answers.items()}
    bodies[3] = with_completion_tokens(bodies[3], 2**31)
    job_ids = insert_jobs(settings.database_url, MODEL, ["go-tasks/reverse"], list(answers), PARAMS)
    for seed, body in bodies.items():
        server.queue(seed, Reply(body))
    models = dict.fromkeys(job_ids, MODEL)
    run_jobs(settings.database_url, settings.redis_url, tmp_path, models, LLAMA_SWAP_URL=server.url, **ENV)

    for (seed, sent), job_id in zip(answers.items(), job_ids, strict=True):
        assert server.requests[f"/v1/chat/completions seed={seed}"] == 1
        rows = query(
            settings.database_url,
            "SELECT j.verdict, a.number, a.outcome, g.completion_tokens, g.error, r.score FROM jobs j"
            " JOIN attempts a ON a.job_id = j.id JOIN generations g ON g.attempt_id = a.id"
            " JOIN grades r ON r.generation_id = g.id WHERE j.id = %s",
            (job_id,),
        )
        assert len(rows) == 1, (seed, rows)  # one attempt, one generation, one grade
        row = rows[0]
        assert (row["verdict"], row["score"], row["number"], row["outcome"]) == ("ok", 1.0, 1, "ok"), row
        stored = lifecycle.latest_generation(job_id)
        assert stored is not None and stored.response_text == sent, seed
    figures = query(
        settings.database_url,
        "SELECT g.completion_tokens, g.error FROM generations g WHERE g.job_id = %s",
        (job_ids[2],),
    )[0]
    assert figures["completion_tokens"] is None
    assert "the database refused this generation's figures" in figures["error"]
