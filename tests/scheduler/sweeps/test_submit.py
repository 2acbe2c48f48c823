"""`scheduler submit`: jobs recorded once, enqueued once, one transaction per submission."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from scheduler.core.queues import GENERATE_TASK, generation_queue
from scheduler.core.settings import PACKAGED_SWEEPS_DIR, Settings
from scheduler.db.results import insert_generation
from tests.support.rows import one
from tests.support.scheduler_cli import job_count, queued_messages, run_cli


def test_dry_run_lists_18_jobs_and_writes_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["submit", "--sweep", "quant-gemma4", "--dry-run", "--json"], capsys)
    assert code == 0
    jobs = json.loads(out)
    assert len(jobs) == 18
    assert {(j["model"], j["exam"], j["seed"]) for j in jobs} == {
        (m, e, s)
        for m in ("gemma4-26b-q4km", "gemma4-26b-mxfp4", "gemma4-26b-q5km")
        for e in ("v1", "v2")
        for s in (42, 123, 456)
    }
    assert all(j["action"] == "new" for j in jobs)
    assert job_count(settings.database_url) == 0
    assert queued_messages(settings.redis_url) == {}


def test_a_dry_run_without_the_database_says_it_did_not_check_which_jobs_exist(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.core.settings import get_settings
    from testkit.services import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    get_settings.cache_clear()
    code, out, _ = run_cli(["submit", "--sweep", "quant-gemma4", "--dry-run"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 19 and all(line.endswith(" unchecked") for line in lines[:18]), out
    assert " would be enqueued\n" not in out and "not checked against the database" in lines[-1], out
    assert "cannot connect to Postgres" in lines[-1], out


def test_submitting_twice_enqueues_18_messages_then_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["submit", "--sweep", "quant-gemma4", "--json"], capsys)
    assert code == 0
    first = json.loads(out)
    assert (first["jobs"], first["new"], first["enqueued"]) == (18, 18, 18)
    assert job_count(settings.database_url) == 18
    assert sum(queued_messages(settings.redis_url).values()) == 18
    assert set(queued_messages(settings.redis_url)) == {
        generation_queue(m) for m in ("gemma4-26b-q4km", "gemma4-26b-mxfp4", "gemma4-26b-q5km")
    }

    code, out, _ = run_cli(["submit", "--sweep", "quant-gemma4", "--json"], capsys)
    second = json.loads(out)
    assert (second["new"], second["enqueued"]) == (0, 0)
    assert job_count(settings.database_url) == 18
    assert sum(queued_messages(settings.redis_url).values()) == 18


def test_a_message_names_the_generate_task_and_its_job(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "demo"], capsys)
    client = redis.Redis.from_url(settings.redis_url)
    raw = client.lindex(generation_queue("gemma3-270m-q4km"), 0)
    assert isinstance(raw, bytes)
    message = json.loads(raw)
    assert message["headers"]["task"] == GENERATE_TASK
    with psycopg.connect(settings.database_url) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM jobs")}
    assert int(message["headers"]["argsrepr"].strip("[]")) in ids


@pytest.fixture
def sweeps(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An editable copy of the shipped sweep files, in SWEEPS_DIR."""
    from scheduler.core.settings import get_settings

    directory = tmp_path / "sweeps"
    shutil.copytree(PACKAGED_SWEEPS_DIR, directory)
    monkeypatch.setenv("SWEEPS_DIR", str(directory))
    get_settings.cache_clear()
    return directory


def test_adding_a_seed_enqueues_only_the_new_jobs(
    settings: Settings, sweeps: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "quant-gemma4"], capsys)
    path = sweeps / "quant-gemma4.yaml"
    path.write_text(path.read_text().replace("seeds: [42, 123, 456]", "seeds: [42, 123, 456, 789]"))
    _, out, _ = run_cli(["submit", "--sweep", "quant-gemma4", "--json"], capsys)
    result = json.loads(out)
    assert (result["jobs"], result["new"], result["enqueued"]) == (24, 6, 6)
    with psycopg.connect(settings.database_url) as conn:
        seeds = {
            r[0]
            for r in conn.execute("SELECT seed FROM jobs WHERE id = ANY(%s)", (result["enqueued_job_ids"],))
        }
    assert seeds == {789}
    assert sum(queued_messages(settings.redis_url).values()) == 24


def test_changing_temperature_makes_new_jobs_instead_of_mixing_results(
    settings: Settings, sweeps: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "demo"], capsys)
    path = sweeps / "demo.yaml"
    path.write_text(path.read_text().replace("generation:\n", "generation:\n  temperature: 0.2\n"))
    _, out, _ = run_cli(["submit", "--sweep", "demo", "--json"], capsys)
    assert json.loads(out)["new"] == 10
    with psycopg.connect(settings.database_url) as conn:
        hashes = one(conn.execute("SELECT count(DISTINCT params_hash) FROM jobs"))[0]
    assert hashes == 10  # five tasks (each its own prompt) x two temperatures


def test_finished_jobs_are_kept_unless_rerun_and_infra_failures_are_retried(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "demo"], capsys)
    with psycopg.connect(settings.database_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM jobs ORDER BY id")]
        conn.execute("UPDATE jobs SET state = 'done', verdict = 'test_fail' WHERE id = ANY(%s)", (ids[:4],))
        conn.execute("UPDATE jobs SET state = 'done', verdict = 'server_error' WHERE id = %s", (ids[4],))
        conn.execute("UPDATE jobs SET state = 'generating' WHERE id = %s", (ids[5],))
    redis.Redis.from_url(settings.redis_url).flushdb()

    _, out, _ = run_cli(["submit", "--sweep", "demo", "--json"], capsys)
    assert json.loads(out)["enqueued_job_ids"] == [ids[4]]

    _, out, _ = run_cli(["submit", "--sweep", "demo", "--json", "--rerun"], capsys)
    assert sorted(json.loads(out)["enqueued_job_ids"]) == ids[:4]  # not the one in flight, nor the queued


def test_a_grader_error_is_graded_again_from_its_generation_and_a_failed_generation_generated_again(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "demo"], capsys)
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        ids = [r["id"] for r in conn.execute("SELECT id FROM jobs ORDER BY id")]
        conn.execute("UPDATE jobs SET state = 'done', verdict = 'test_fail' WHERE id = ANY(%s)", (ids,))
        conn.execute(
            "UPDATE jobs SET verdict = 'grader_error', grading_claims = 3 WHERE id = ANY(%s)", (ids[:2],)
        )
        insert_generation(conn, ids[0], {"outcome": "ok", "response_text": "an answer"})  # gradable
        insert_generation(conn, ids[2], {"outcome": "server_error"})
        conn.execute("UPDATE jobs SET verdict = 'server_error' WHERE id = %s", (ids[2],))
    redis.Redis.from_url(settings.redis_url).flushdb()

    _, out, _ = run_cli(["submit", "--sweep", "demo", "--dry-run", "--json"], capsys)
    actions = {j["action"] for j in json.loads(out)}
    assert {"regrade", "enqueue"} <= actions

    _, out, _ = run_cli(["submit", "--sweep", "demo", "--json"], capsys)
    assert sorted(json.loads(out)["enqueued_job_ids"]) == sorted(ids[:3])
    client = redis.Redis.from_url(settings.redis_url)
    graded = [int(json.loads(m)["headers"]["argsrepr"].strip("[]")) for m in client.lrange("cpu", 0, -1)]
    assert graded == [ids[0]]  # graded again, not generated: its generation is kept
    assert (
        sum(queued_messages(settings.redis_url).values()) == 2
    )  # no generation to grade, and the server_error
    with psycopg.connect(settings.database_url, row_factory=dict_row) as conn:
        row = one(conn.execute("SELECT state, verdict, grading_claims FROM jobs WHERE id = %s", (ids[0],)))
    assert (row["state"], row["verdict"], row["grading_claims"]) == ("generated", None, 0)


def test_submit_with_redis_down_writes_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scheduler.core.settings import get_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    code, _, err = run_cli(["submit", "--sweep", "quant-gemma4"], capsys)
    assert code == 1
    assert err.startswith("scheduler: error: cannot send to Redis at REDIS_URL=redis://127.0.0.1:1/0")
    assert len(err.strip().splitlines()) == 1
    assert job_count(settings.database_url) == 0


def test_the_console_script_reports_a_missing_database_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import main; main()", "submit", "--sweep", "demo"],
        env={"DATABASE_URL": "postgresql://127.0.0.1:1/none", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("scheduler: error: cannot connect to Postgres at DATABASE_URL=")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_each_model_queue_gets_its_longest_exam_first(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "quant-gemma4"], capsys)
    client = redis.Redis.from_url(settings.redis_url)
    # Celery's Redis transport pushes on the left and pops on the right: the right end runs first.
    raw = client.lrange(generation_queue("gemma4-26b-q4km"), 0, -1)
    ids_in_run_order = [int(json.loads(m)["headers"]["argsrepr"].strip("[]")) for m in reversed(raw)]
    with psycopg.connect(settings.database_url) as conn:
        exam_of: dict[int, str] = dict(conn.execute("SELECT id, exam FROM jobs").fetchall())
    assert [exam_of[i] for i in ids_in_run_order] == ["v2", "v2", "v2", "v1", "v1", "v1"]


def test_requeue_after_redis_lost_its_messages_resends_one_for_every_job_nothing_holds(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["submit", "--sweep", "demo"], capsys)
    with psycopg.connect(settings.database_url) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM jobs ORDER BY id")]
        for job_id, state, lease_s in [
            (ids[0], "generated", None),
            (ids[1], "grading", -5),
            (ids[2], "generating", -5),
            (ids[3], "generating", 60),
        ]:
            conn.execute(
                "UPDATE jobs SET state = %s, lease_owner = 'w#1',"
                " lease_expires_at = now() + make_interval(secs => %s) WHERE id = %s",
                (state, lease_s, job_id),
            )
    redis.Redis.from_url(settings.redis_url).flushdb()  # Redis restarted empty

    code, out, _ = run_cli(["submit", "--sweep", "demo", "--requeue", "--json"], capsys)
    result = json.loads(out)
    client = redis.Redis.from_url(settings.redis_url)
    sent = {
        (json.loads(raw)["headers"]["task"], int(json.loads(raw)["headers"]["argsrepr"].strip("[]")))
        for queue in ("gen.gemma3-270m-q4km", "cpu")
        for raw in client.lrange(queue, 0, -1)
    }
    assert code == 0
    still_queued = ids[4:]
    assert sent == {
        ("quantsweep.grade", ids[0]),
        ("quantsweep.grade", ids[1]),
        ("quantsweep.generate", ids[2]),
        *(("quantsweep.generate", job_id) for job_id in still_queued),
    }
    assert sorted(result["enqueued_job_ids"]) == sorted([ids[0], ids[1], ids[2], *still_queued])
