"""Sweep files and the catalog: the shipped ones load; a malformed one names file, field and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scheduler.core.settings import PACKAGED_SWEEPS_DIR, Settings, get_settings
from scheduler.db import connect
from scheduler.db.sweeps import sweep_names
from scheduler.sweeps.catalog import load_catalog
from tests.support.scheduler_cli import job_count, queued_messages, run_cli

ARTICLE_MODELS = {
    "gemma4-26b-q4km": ("UD-Q4_K_M", 16),
    "gemma4-26b-mxfp4": ("MXFP4_MOE", 15),
    "gemma4-26b-q5km": ("UD-Q5_K_M", 21),
    "qwen35-35b-q4km": ("Q4_K_M", 21),
    "qwen35-35b-q5km": ("Q5_K_M", 28),
    "qwen35-35b-q6k": ("Q6_K", 32),
    "qwen35-35b-mxfp4": ("MXFP4_MOE", 20),
    "gpt-oss-20b": ("MXFP4", 12),
}


def sweeps_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **sweep_files: str) -> Path:
    """A copy of the packaged sweeps folder with the given `<name>.yaml` files, as SWEEPS_DIR."""
    sweeps = tmp_path / "sweeps"
    shutil.copytree(PACKAGED_SWEEPS_DIR, sweeps)
    for name, text in sweep_files.items():
        (sweeps / f"{name}.yaml").write_text(text)
    monkeypatch.setenv("SWEEPS_DIR", str(sweeps))
    get_settings.cache_clear()
    return sweeps


def test_the_catalog_holds_the_articles_sixteen_models_with_their_sizes() -> None:
    catalog = load_catalog(PACKAGED_SWEEPS_DIR)
    article = [m for m in catalog.values() if m.family != "gemma3-270m"]
    assert len(article) == 16
    for model_id, (quant, size) in ARTICLE_MODELS.items():
        assert (catalog[model_id].quant, catalog[model_id].size_gb) == (quant, size)
    assert all(catalog[m].options.get("reasoning") is False for m in catalog if m.startswith("qwen35"))
    assert catalog["qwen3-coder-30b-draft"].options.get("draft_model")


def test_sweeps_lists_every_sweep_with_its_job_count(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["sweeps", "--json"], capsys)
    assert code == 0
    import json

    counts = {row["name"]: row["jobs"] for row in json.loads(out)}
    assert counts == {"demo": 10, "episode3": 66, "quant-gemma4": 18, "quant-qwen35": 24, "round1": 48}


BROKEN = [
    (
        "unknown model",
        "models: [gemma4-26b-q4km, llama-9000]\nexams: [v1]\nseeds: [42]\n",
        "sweep file broken.yaml: models[1] 'llama-9000' is not in the catalog models.yaml; add it there",
    ),
    (
        "seed not an integer",
        "models: [gpt-oss-20b]\nexams: [v1]\nseeds: [42, abc]\n",
        "sweep file broken.yaml: seeds[1] must be an integer, got 'abc'",
    ),
    (
        "unknown exam",
        "models: [gpt-oss-20b]\nexams: [v1, v9]\nseeds: [42]\n",
        (
            "sweep file broken.yaml: exams[1] 'v9' is not a known exam; use one of: go-tasks, v1, v2, "
            "or a set (exam:set) or an item (exam/item) of one, see `exams list --items`"
        ),
    ),
    (
        "unknown set",
        "models: [gpt-oss-20b]\nexams: [go-tasks:tiny]\nseeds: [42]\n",
        (
            "sweep file broken.yaml: exams[0] 'go-tasks:tiny' is not a set of go-tasks; use one of: "
            "go-tasks:demo, go-tasks:quick, go-tasks:easy, go-tasks:medium, go-tasks:hard"
        ),
    ),
    (
        "yaml syntax error",
        "models: [gpt-oss-20b\nexams: [v1]\nseeds: [42]\n",
        "sweep file broken.yaml: YAML syntax error at line",
    ),
    (
        "a key given twice",
        "models: [gpt-oss-20b]\nexams: [v1]\nseeds: [42]\nmodels: [gemma4-26b-q4km]\n",
        "sweep file broken.yaml: YAML syntax error at line 4, column 1: the key 'models' is given twice",
    ),
    (
        "a key given twice in a nested mapping",
        "models: [gpt-oss-20b]\nexams: [v1]\nseeds: [42]\ngeneration: {max_tokens: 64, max_tokens: 128}\n",
        "sweep file broken.yaml: YAML syntax error at line 4, column 30: the key 'max_tokens' is given twice",
    ),
    (
        "missing field",
        "models: [gpt-oss-20b]\nexams: [v1]\n",
        "sweep file broken.yaml: missing field 'seeds'; add seeds:",
    ),
    (
        "misspelt field",
        "models: [gpt-oss-20b]\nexams: [v1]\nseeds: [42]\nseed: [1]\n",
        "sweep file broken.yaml: unknown field 'seed' in the top level; allowed:",
    ),
    (
        "bad generation value",
        "models: [gpt-oss-20b]\nexams: [v1]\nseeds: [42]\ngeneration: {max_tokens: -5}\n",
        "sweep file broken.yaml: generation.max_tokens must be a positive integer, got -5",
    ),
]


@pytest.mark.parametrize(("case", "text", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_malformed_sweep_gives_one_line_and_writes_nothing(
    case: str,
    text: str,
    message: str,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sweeps = tmp_path / "sweeps"
    shutil.copytree(PACKAGED_SWEEPS_DIR, sweeps)
    (sweeps / "broken.yaml").write_text(text)
    monkeypatch.setenv("SWEEPS_DIR", str(sweeps))
    get_settings.cache_clear()
    for args in (["submit", "--sweep", "broken"], ["submit", "--sweep", "broken", "--dry-run"]):
        code, out, err = run_cli(args, capsys)
        assert code == 1
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith(f"scheduler: error: {message}"), err
    assert job_count(settings.database_url) == 0
    assert queued_messages(settings.redis_url) == {}
    with connect(settings) as conn:
        assert sweep_names(conn) == []


def test_an_unknown_sweep_name_lists_the_available_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["submit", "--sweep", "quant-gemma5", "--dry-run"], capsys)
    assert code == 1
    assert "no sweep named 'quant-gemma5'" in err and "quant-gemma4" in err


def test_a_malformed_catalog_names_the_model_and_field(tmp_path: Path) -> None:
    from scheduler.core.errors import SweepFileError

    (tmp_path / "models.yaml").write_text("models:\n  m1:\n    label: M\n    family: f\n    size_gb: big\n")
    with pytest.raises(SweepFileError, match="catalog models.yaml: models.m1.size_gb must be a number"):
        load_catalog(tmp_path)


def test_an_exam_of_items_gives_one_job_per_task_and_a_set_names_a_few(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from exams.registry import job_exams

    sweeps = sweeps_with(
        tmp_path,
        monkeypatch,
        tasks="models: [gpt-oss-20b]\nexams: [go-tasks, v1, go-tasks:demo]\nseeds: [1, 2]\n",
    )
    tasks = job_exams("go-tasks")
    code, out, _ = run_cli(["submit", "--sweep", "tasks", "--dry-run", "--json"], capsys)
    jobs = json.loads(out)
    assert code == 0 and len(jobs) == 2 * (len(tasks) + 1)  # the demo set's tasks are in go-tasks already
    assert sorted({j["exam"] for j in jobs}) == sorted([*tasks, "v1"])
    assert len({j["params_hash"] for j in jobs}) == len(tasks) + 1  # each task's prompt is its own
    code, out, _ = run_cli(["submit", "--sweep", "tasks", "--json"], capsys)
    assert json.loads(out)["enqueued"] == len(jobs)
    code, out, _ = run_cli(["submit", "--sweep", "tasks", "--json"], capsys)
    assert (json.loads(out)["new"], json.loads(out)["enqueued"]) == (0, 0)
    (sweeps / "tasks.yaml").write_text("models: [gpt-oss-20b]\nexams: [go-tasks:nope]\nseeds: [1]\n")
    code, _, err = run_cli(["submit", "--sweep", "tasks", "--dry-run"], capsys)
    assert code == 1 and err.startswith("scheduler: error: sweep file tasks.yaml: exams[0] 'go-tasks:nope'")


def test_a_models_prompt_style_is_part_of_its_jobs_identity_where_the_exam_declares_a_file_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import yaml

    sweeps = sweeps_with(
        tmp_path,
        monkeypatch,
        styles="models: [gemma3-270m-q4km]\nexams: [go-tasks/reverse, v1]\nseeds: [1]\n",
    )

    def dry_run() -> dict[str, dict[str, object]]:
        code, out, err = run_cli(["submit", "--sweep", "styles", "--dry-run", "--json"], capsys)
        assert code == 0, err
        return {job["exam"]: job for job in json.loads(out)}

    completion = dry_run()
    assert completion["go-tasks/reverse"]["params"]["prompt_style"] == "completion"  # type: ignore[index]
    assert completion["v1"]["params"]["prompt_style"] == "chat"  # type: ignore[index]  # v1 declares no file start
    catalog_file = sweeps / "models.yaml"
    catalog = yaml.safe_load(catalog_file.read_text())
    del catalog["models"]["gemma3-270m-q4km"]["prompt_style"]
    catalog_file.write_text(yaml.safe_dump(catalog))
    chat = dry_run()
    assert chat["go-tasks/reverse"]["params_hash"] != completion["go-tasks/reverse"]["params_hash"]
    assert chat["v1"]["params_hash"] == completion["v1"]["params_hash"]
    # A chat job's hash is the one it had before prompt styles: prompt_style is left out of it.
    from scheduler.results.jobs import params_hash

    params = dict(chat["v1"]["params"])  # type: ignore[call-overload]
    assert params_hash({k: v for k, v in params.items() if k != "prompt_style"}) == chat["v1"]["params_hash"]
    catalog["models"]["gemma3-270m-q4km"]["prompt_style"] = "base"
    catalog_file.write_text(yaml.safe_dump(catalog))
    code, _, err = run_cli(["submit", "--sweep", "styles", "--dry-run"], capsys)
    assert code == 1 and "models.gemma3-270m-q4km.prompt_style must be chat or completion" in err
