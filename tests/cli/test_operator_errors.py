"""An operator's mistake, of every kind, prints one line `<prog>: error: ...`, exits 1 and writes
nothing; a bug keeps its traceback (the one entry point of the three console scripts)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from scheduler.core.console import console_main
from scheduler.core.errors import OperatorError
from scheduler.core.settings import PACKAGED_SWEEPS_DIR, Settings, get_settings
from testkit.services import RedisServer, free_port
from testkit.workers import REPO_ROOT
from tests.support.scheduler_cli import job_count, queued_messages, run_cli


def one_line_error(code: int, out: str, err: str, prog: str = "scheduler") -> str:
    assert code == 1, (out, err)
    assert out == "" and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"{prog}: error: "), err
    return err


@pytest.fixture
def sweeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sweeps"
    shutil.copytree(PACKAGED_SWEEPS_DIR, folder)
    monkeypatch.setenv("SWEEPS_DIR", str(folder))
    get_settings.cache_clear()
    return folder


@pytest.mark.parametrize(
    ("seeds", "generation", "message"),
    [
        ("[42, 5e21]", "", "seeds[1] must be an integer"),
        (
            "[42, 5000000000000000000000]",
            "",
            "seeds[1] is 5000000000000000000000; a seed must be from 0 to 4294967294",
        ),
        ("[-1]", "", "seeds[0] is -1; a seed must be from 0 to 4294967294"),
        (
            "[42]",
            "generation: {context: 4096, max_tokens: 8192}",
            "generation.max_tokens 8192 is above generation.context",
        ),
    ],
    ids=["float seed", "seed out of range", "seed -1 (random)", "max_tokens above the context"],
)
def test_a_sweep_value_out_of_range_is_refused_before_anything_is_written(
    seeds: str,
    generation: str,
    message: str,
    settings: Settings,
    sweeps: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (sweeps / "bad.yaml").write_text(f"models: [gpt-oss-20b]\nexams: [v1]\nseeds: {seeds}\n{generation}\n")
    err = one_line_error(*run_cli(["submit", "--sweep", "bad"], capsys))
    assert message in err
    assert job_count(settings.database_url) == 0 and queued_messages(settings.redis_url) == {}


def test_a_sweep_file_that_is_not_utf8_is_reported_alone_and_the_others_still_listed(
    sweeps: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (sweeps / "latin1.yaml").write_bytes("description: caf\xe9\nmodels: [gpt-oss-20b]\n".encode("latin-1"))
    code, out, err = run_cli(["sweeps", "--json"], capsys)
    rows = {row["name"]: row for row in json.loads(out)}
    assert code == 1 and "latin1" in err and err.count("\n") == 1
    assert "not UTF-8" in rows["latin1"]["error"]
    assert "error" not in rows["demo"] and rows["demo"]["jobs"] > 0, "a bad file must not hide the good ones"
    err = one_line_error(*run_cli(["submit", "--sweep", "latin1"], capsys))
    assert "sweep file latin1.yaml: not UTF-8 text" in err


def _export_line(**changes: object) -> dict[str, object]:
    line: dict[str, object] = {
        "format": "quantsweep-export/1",
        "sweep": "imp",
        "model": "m1",
        "label": "M1",
        "family": "f",
        "exam": "v1",
        "seed": 1,
        "params_hash": "h",
        "params": {},
        "state": "done",
        "job_verdict": "ok",
        "generation": {"outcome": "ok", "response_text": "x"},
        "grades": [{"grader_version": "g", "score": 15, "max_score": 15, "verdict": "ok", "compiled": True}],
    }
    line.update(changes)
    return line


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([b"\x00\xffgarbage"], "not UTF-8"),
        (["{not json"], "bad.jsonl:1: not JSON"),
        ([_export_line(), _export_line()], "bad.jsonl:2: the same job as line 1"),
        (
            [_export_line(), _export_line(seed=2, state="finished")],
            "bad.jsonl:2: state 'finished' is not one of",
        ),
        ([_export_line(seed=5 * 10**21)], "bad.jsonl:1: seed must be an integer from 0 to"),
        ([_export_line(seed="7")], "bad.jsonl:1: seed must be an integer"),
        ([_export_line(), _export_line(seed=2, generation={"outcome": "great"})], "job 2 of sweep 'imp'"),
        ([_export_line(generation=None)], "bad.jsonl:1: grades without a generation"),
    ],
    ids=[
        "binary",
        "garbage",
        "duplicated",
        "wrong state",
        "seed out of range",
        "seed a string",
        "wrong generation outcome",
        "grades without generation",
    ],
)
def test_an_import_of_a_bad_file_writes_nothing(
    lines: list[object], message: str, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    if isinstance(lines[0], bytes):
        path.write_bytes(lines[0])
    else:
        path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines))
    err = one_line_error(*run_cli(["import", str(path)], capsys))
    assert message in err
    assert job_count(settings.database_url) == 0


def test_regrade_with_redis_down_says_so_in_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.reporting import load_article

    load_article(settings)
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    code, _, err = run_cli(["regrade", "--sweep", "article", "--force"], capsys)
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("scheduler: error: cannot send to Redis at REDIS_URL=redis://127.0.0.1:"), err


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from worker.cli import main; main()", *args], cwd=REPO_ROOT,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize("url", ["redis://localhost:notaport/0", "http://127.0.0.1:6379/0", "redis://h:1/db"])
def test_worker_flower_with_a_malformed_redis_url_fails_with_one_line(url: str, tmp_path: Path) -> None:
    done = _run(["flower", f"--db={tmp_path / 'f.db'}"], REDIS_URL=url, FLOWER_BASIC_AUTH="a:b")
    one_line_error(done.returncode, done.stdout, done.stderr, prog="worker")
    assert "REDIS_URL" in done.stderr


def test_worker_cpu_with_a_wrong_redis_password_says_so_at_once(database_url: str, tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis", password="right-Secret-1")
    server.start()
    try:
        done = _run(
            ["cpu", "--concurrency", "1"],
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://:wrong-Secret-2@127.0.0.1:{server.port}/0",
        )
    finally:
        server.stop()
    err = one_line_error(done.returncode, done.stdout, done.stderr, prog="worker")
    assert "refused the credentials" in err and "wrong-Secret-2" not in done.stderr + done.stdout


def test_exams_errors_go_through_the_same_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    from exams.cli import cli

    with pytest.raises(SystemExit) as exit_:
        console_main(cli, "exams", ["prompt", "--exam", "nope"])
    _, err = capsys.readouterr()
    assert (
        exit_.value.code == 1 and err.startswith("exams: error: unknown exam 'nope'") and err.count("\n") == 1
    )


def test_an_operator_error_prints_one_line_and_a_bug_keeps_its_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @click.command()
    @click.option("--bug", is_flag=True)
    def command(bug: bool) -> None:
        if bug:
            raise KeyError("a bug")
        raise OperatorError("the operator can fix this\nand it stays on one line")

    with pytest.raises(SystemExit) as exit_:
        console_main(command, "prog", [])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == "prog: error: the operator can fix this and it stays on one line\n"
    with pytest.raises(KeyError):
        console_main(command, "prog", ["--bug"])


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["report", "--sweep", "demo"],
        ["export", "--sweep", "demo"],
        ["resume", "--model", "m"],
    ],
)
def test_a_database_without_the_schema_is_named_with_its_fix_not_a_traceback(
    args: list[str], empty_database_url: str, redis_url: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import main; main()", *args],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": empty_database_url,
            "REDIS_URL": redis_url,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    err = one_line_error(done.returncode, done.stdout, done.stderr)
    assert "lacks quantsweep's schema" in err and "run `scheduler db upgrade`" in err, err
    assert "does not exist" in err, err  # the database's own reason, for the record


def test_a_translated_exception_prints_as_an_operator_error_and_others_keep_their_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @click.command()
    @click.option("--other", is_flag=True)
    def command(other: bool) -> None:
        raise (ValueError if other else LookupError)("no such table")

    def translate(exc: Exception) -> OperatorError | None:
        return OperatorError(f"fix it: {exc}") if isinstance(exc, LookupError) else None

    with pytest.raises(SystemExit) as exit_:
        console_main(command, "prog", [], translate=translate)
    assert exit_.value.code == 1 and capsys.readouterr().err == "prog: error: fix it: no such table\n"
    with pytest.raises(ValueError):
        console_main(command, "prog", ["--other"], translate=translate)
