"""A grader_error (our side failed) is graded again from the same generation, a bounded number of
times, through real workers; the generation is never made again for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exams.scaffold import create_exam
from scheduler.core.settings import Settings
from testkit.fakes.recorded_server import RecordedServer, Reply, content_stream
from testkit.workers import insert_jobs, query, run_jobs

pytestmark = [pytest.mark.slow, pytest.mark.timeout(280)]

MODEL = "qwen3-coder"
PARAMS = {"temperature": 1.0, "context": 4096, "max_tokens": 4096, "timeout_s": 60, "options": {}}
ENV = {"GENERATION_BACKOFF_S": "0", "WORKER_HOST": "replay", "DISPATCH": "all", "MAX_ATTEMPTS": "3"}
ANSWER = "```go\npackage sum\n\nfunc Sum(xs []int) int {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt += x\n\t}\n\treturn t\n}\n```\n"


@pytest.fixture
def server() -> Iterator[RecordedServer]:
    recorded = RecordedServer([MODEL]).start()
    yield recorded
    recorded.stop()


def test_a_grader_error_is_graded_again_up_to_the_attempt_limit_and_never_generated_again(
    settings: Settings, server: RecordedServer, tmp_path: Path
) -> None:
    exams_dir = tmp_path / "exams"
    exams_dir.mkdir()
    manifest = create_exam("my-go", exams_dir) / "exam.toml"
    # A build limit of ours too short for any build: every grade is a grader_error.
    manifest.write_text(manifest.read_text().replace("build_s = 120", "build_s = 0.01"))
    (job_id,) = insert_jobs(settings.database_url, MODEL, ["my-go/sum"], [1], PARAMS)
    server.queue(1, Reply(content_stream(ANSWER)))
    run_jobs(
        settings.database_url,
        settings.redis_url,
        tmp_path,
        {job_id: MODEL},
        LLAMA_SWAP_URL=server.url,
        EXAMS_DIR=str(exams_dir),
        **ENV,
    )
    assert server.requests["/v1/chat/completions seed=1"] == 1
    (row,) = query(
        settings.database_url,
        "SELECT j.verdict, j.grading_claims, (SELECT count(*) FROM attempts a WHERE a.job_id = j.id) AS attempts,"
        " (SELECT count(*) FROM grades r JOIN generations g ON g.id = r.generation_id WHERE g.job_id = j.id)"
        " AS grades, (SELECT r.log FROM grades r JOIN generations g ON g.id = r.generation_id"
        " WHERE g.job_id = j.id) AS log FROM jobs j WHERE j.id = %s",
        (job_id,),
    )
    assert (row["verdict"], row["grading_claims"], row["attempts"], row["grades"]) == (
        "grader_error",
        3,
        1,
        1,
    )
    assert str(row["log"]).startswith("graded 3 times, each a grader_error")
