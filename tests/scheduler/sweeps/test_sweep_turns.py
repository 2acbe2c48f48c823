"""A sweep file's `turns`: jobs with a turn budget and feedback format in their identity, one-turn
jobs exactly as before, and a budget an exam does not allow refused in one line, nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exams.feedback import FEEDBACK_FORMAT
from scheduler.core.settings import PACKAGED_SWEEPS_DIR, Settings, get_settings
from tests.support.scheduler_cli import job_count, queued_messages, run_cli

SWEEP = """
models: [gemma4-26b-q4km]
exams: [go-tasks/reverse, go-tasks/lru]
seeds: [1, 2]
{turns}
"""


def dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **files: str
) -> dict[str, tuple[int, str, str]]:
    sweeps = tmp_path / "sweeps"
    shutil.copytree(PACKAGED_SWEEPS_DIR, sweeps)
    for name, text in files.items():
        (sweeps / f"{name}.yaml").write_text(text)
    monkeypatch.setenv("SWEEPS_DIR", str(sweeps))
    get_settings.cache_clear()
    return {name: run_cli(["submit", "--sweep", name, "--dry-run", "--json"], capsys) for name in files}


def test_turns_are_in_the_jobs_params_and_identity_and_one_turn_jobs_keep_their_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = dry_run(
        tmp_path,
        monkeypatch,
        capsys,
        plain=SWEEP.format(turns=""),
        one=SWEEP.format(turns="turns: 1"),
        two=SWEEP.format(turns="turns: 2"),
        three=SWEEP.format(turns="turns: 3"),
    )
    jobs = {name: json.loads(o) for name, (code, o, _) in out.items() if code == 0}
    assert set(jobs) == {"plain", "one", "two", "three"}
    hashes = {name: {j["params_hash"] for j in js} for name, js in jobs.items()}
    assert hashes["plain"] == hashes["one"]
    assert all("turns" not in j["params"] for j in jobs["plain"])
    assert len({frozenset(h) for h in hashes.values()}) == 3  # 1, 2 and 3 turns: three identities
    assert {(j["params"]["turns"], j["params"]["feedback"]) for j in jobs["two"]} == {(2, FEEDBACK_FORMAT)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SWEEP.format(turns="turns: 4"),
            "turns is 4 but exam go-tasks/reverse allows 3 (its exam.toml `turns`)",
        ),
        ("models: [gpt-oss-20b]\nexams: [v1]\nseeds: [1]\nturns: 2\n", "turns is 2 but exam v1 allows 1"),
        (SWEEP.format(turns="turns: 0"), "turns must be an integer from 1 to 5, got 0"),
        (SWEEP.format(turns="turns: two"), "turns must be an integer from 1 to 5, got 'two'"),
    ],
)
def test_a_turn_budget_the_exam_does_not_allow_is_refused_in_one_line(
    text: str,
    message: str,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = dry_run(tmp_path, monkeypatch, capsys, broken=text)["broken"]
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1 and message in err, err
    code, _, err = run_cli(["submit", "--sweep", "broken"], capsys)
    assert code == 1 and message in err
    assert job_count(settings.database_url) == 0
    assert queued_messages(settings.redis_url) == {}
