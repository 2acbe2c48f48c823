"""Loading the article's published results as a sweep: its responses as generations, its scores kept
as an external grade (grader_version `article`), so our graders can grade the same text again.

Layout: `exam_v<N>/<model>/seed<S>/{response.txt,result.json}`; `result.json` holds
`{"eval": {"score", "max", "summary"}, "model", "tokens", "tps", "wall_s"}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scheduler.core.errors import QuantsweepError
from scheduler.db.catalog import upsert_models
from scheduler.db.results import insert_published_result
from scheduler.db.sweeps import delete_sweep, insert_finished_job, insert_sweep, sweep_definition
from scheduler.db.vocabulary import JobState, Verdict
from scheduler.results.jobs import params_hash
from scheduler.sweeps.catalog import Model

ARTICLE_GRADER = "article"
EXAM_MAX = {"v1": 15.0, "v2": 10.0}
# The article's runs: llama.cpp b8708 through llama-swap, temp 1.0, 16k context, 10-minute timeout.
ARTICLE_PARAMS = {"temperature": 1.0, "context": 16384, "max_tokens": None, "timeout_s": 600}
_V1_PART = re.compile(r"^(?P<name>[A-Za-z0-9_]+):(?P<points>\d+)/(?P<max>\d+)(?:\((?P<detail>[^)]*)\))?$")


class ArticleImportError(QuantsweepError):
    """The article's results directory is unusable, or the sweep already exists."""


@dataclass
class ArticleGrade:
    """The article's own score of one response, as our grade fields."""

    score: float
    max_score: float
    verdict: Verdict
    compiled: bool
    checks: list[dict[str, Any]]
    log: str = ""


@dataclass
class ImportSummary:
    """What an import loaded and what it had to work around."""

    sweep: str
    jobs: int = 0
    responses: int = 0
    recovered: list[str] = field(default_factory=list)  # response taken from the model folder
    missing: list[str] = field(default_factory=list)  # no response text at all
    skipped: list[str] = field(default_factory=list)  # files not tied to a seed

    def lines(self) -> list[str]:
        """A human summary, one fact a line."""
        out = [f"imported {self.jobs} runs ({self.responses} with a response) into sweep {self.sweep!r}"]
        out += [f"recovered: {r}" for r in self.recovered]
        out += [f"missing response: {m}" for m in self.missing]
        out += [f"skipped: {s}" for s in self.skipped]
        return out


def _check(name: str, passed: bool, points: float, max_points: float, detail: str = "") -> dict[str, Any]:
    return {"name": name, "passed": passed, "points": points, "max_points": max_points, "detail": detail}


def parse_v1(score: float, maximum: float, summary: str) -> ArticleGrade:
    """`factorial:5/5 wordfreq:4/5 filetreewalk:0/5(build-fail)` -> one check per program."""
    checks = []
    for part in summary.split():
        match = _V1_PART.match(part)
        if match is None:
            raise ArticleImportError(f"cannot read exam v1 summary part {part!r} in {summary!r}")
        points, most = float(match["points"]), float(match["max"])
        checks.append(_check(match["name"], points == most, points, most, match["detail"] or ""))
    built = [c for c in checks if "build-fail" not in c["detail"]]
    compiled = bool(built)
    if maximum > 0 and score >= maximum:
        verdict = Verdict.OK
    elif checks and not compiled:
        verdict = Verdict.COMPILE_FAIL
    else:
        verdict = Verdict.TEST_FAIL
    return ArticleGrade(score, maximum or EXAM_MAX["v1"], verdict, compiled, checks)


def parse_v2(score: float, maximum: float, summary: str) -> ArticleGrade:
    """`TestScenario/OnlineFlow:PASS ... TestRaceDetector:FAIL` -> one check per named test."""
    if maximum <= 0:
        return ArticleGrade(
            0.0,
            EXAM_MAX["v2"],
            Verdict.GRADER_ERROR,
            False,
            [],
            f"the article's harness reported {score:g} of max {maximum:g} (it crashed)",
        )
    checks = []
    for part in summary.split():
        name, _, result = part.rpartition(":")
        if name == "compile":
            checks.append(_check("build", False, 0, 0, "compile:FAIL"))
            continue
        if name == "TestScenario":  # the parent of the scenario subtests, not scored itself
            continue
        name = name.removeprefix("TestScenario/").removeprefix("Test")
        passed = result == "PASS"
        checks.append(_check(name, passed, 1.0 if passed else 0.0, 1.0))
    compiled = any(c["passed"] for c in checks)
    if score >= EXAM_MAX["v2"]:
        verdict = Verdict.OK
    elif not compiled:
        verdict = Verdict.COMPILE_FAIL
    else:
        verdict = Verdict.TEST_FAIL
    log = "" if maximum >= EXAM_MAX["v2"] else f"the article's harness ran tests worth {maximum:g} of 10"
    return ArticleGrade(score, maximum, verdict, compiled, checks, log)


def parse_article_grade(exam: str, result: Mapping[str, Any]) -> ArticleGrade:
    """The article's `eval` object of one result.json as our grade fields."""
    evaluation = result.get("eval") or {}
    score, maximum = float(evaluation.get("score", 0)), float(evaluation.get("max", 0))
    summary = str(evaluation.get("summary") or "")
    return parse_v1(score, maximum, summary) if exam == "v1" else parse_v2(score, maximum, summary)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArticleImportError(f"{path}: not readable JSON ({exc}); fix or remove the file") from None
    if not isinstance(data, dict):
        raise ArticleImportError(f"{path}: expected a JSON object")
    return data


@dataclass
class ArticleRun:
    """One (exam, model, seed) of the published results, read from disk."""

    exam: str
    model: str
    seed: int
    result: dict[str, Any]
    response: str | None
    where: str


def _exam_dirs(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        raise ArticleImportError(f"{root} is not a directory; give the folder holding exam_v1/ and exam_v2/")
    exams = [(p.name.removeprefix("exam_"), p) for p in sorted(root.glob("exam_v*")) if p.is_dir()]
    unknown = [e for e, _ in exams if e not in EXAM_MAX]
    if unknown or not exams:
        raise ArticleImportError(
            f"{root}: expected exam_v1/ and/or exam_v2/ folders, found "
            f"{', '.join('exam_' + e for e, _ in exams) or 'none'}"
        )
    return exams


def read_article_runs(root: Path, catalog: Mapping[str, Model], summary: ImportSummary) -> list[ArticleRun]:
    """Every seed folder under `root`, with the published gaps worked around and recorded in `summary`."""
    runs = []
    for exam, exam_dir in _exam_dirs(root):
        for model_dir in sorted(p for p in exam_dir.iterdir() if p.is_dir()):
            if model_dir.name not in catalog:
                raise ArticleImportError(
                    f"{model_dir}: model {model_dir.name!r} is not in the catalog models.yaml; add it there "
                    "(id = the folder name) or remove the folder"
                )
            loose = _loose_run(model_dir)
            used_loose = False
            for seed_dir in sorted(model_dir.glob("seed*")):
                seed_text = seed_dir.name.removeprefix("seed")
                if not seed_text.isdigit() or not (seed_dir / "result.json").is_file():
                    summary.skipped.append(f"{seed_dir.relative_to(root)}: no seed number or no result.json")
                    continue
                where = str(seed_dir.relative_to(root))
                result = _read_json(seed_dir / "result.json")
                response_file = seed_dir / "response.txt"
                response = response_file.read_text(encoding="utf-8") if response_file.is_file() else None
                if response is None and loose and loose[0].get("tokens") == result.get("tokens"):
                    response, used_loose = loose[1], True
                    summary.recovered.append(
                        f"{where}/response.txt taken from {model_dir.relative_to(root)}/response.txt "
                        f"(same token count, {result.get('tokens')})"
                    )
                elif response is None:
                    summary.missing.append(f"{where}/response.txt")
                runs.append(ArticleRun(exam, model_dir.name, int(seed_text), result, response, where))
            if loose and not used_loose:
                grade = loose[0].get("eval") or {}
                summary.skipped.append(
                    f"{model_dir.relative_to(root)}/result.json: a run not tied to a seed "
                    f"(scored {grade.get('score')}/{grade.get('max')})"
                )
    return runs


def _loose_run(model_dir: Path) -> tuple[dict[str, Any], str] | None:
    result, response = model_dir / "result.json", model_dir / "response.txt"
    if result.is_file() and response.is_file():
        return _read_json(result), response.read_text(encoding="utf-8")
    return None


def import_article(
    conn: Any, root: Path, sweep: str, catalog: Mapping[str, Model], *, replace: bool = False
) -> ImportSummary:
    """Load the published results under `root` as sweep `sweep`, in one transaction."""
    summary = ImportSummary(sweep)
    runs = read_article_runs(root, catalog, summary)
    if not runs:
        raise ArticleImportError(f"{root}: no exam_vN/<model>/seed<S>/result.json found")
    with conn.transaction():
        if sweep_definition(conn, sweep) is not None and not replace:
            raise ArticleImportError(
                f"sweep {sweep!r} already exists in the database; "
                "pass --replace to load it again or --sweep OTHER_NAME"
            )
        delete_sweep(conn, sweep)
        models = [m for m in catalog if any(r.model == m for r in runs)]
        upsert_models(conn, [catalog[m] for m in models])
        definition = {
            "description": f"The article's published results, imported from {root.name}",
            "source": "article",
            "models": models,
            "exams": sorted({r.exam for r in runs}),
            "seeds": sorted({r.seed for r in runs}),
        }
        insert_sweep(conn, sweep, definition)
        for run in runs:
            _insert_run(conn, sweep, run, catalog[run.model])
            summary.jobs += 1
            summary.responses += run.response is not None
    return summary


def _insert_run(conn: Any, sweep: str, run: ArticleRun, model: Model) -> None:
    grade = parse_article_grade(run.exam, run.result)
    params = {**ARTICLE_PARAMS, "options": dict(model.options), "prompt_sha256": None, "source": "article"}
    job = {
        "model": run.model,
        "exam": run.exam,
        "seed": run.seed,
        "params_hash": params_hash(params),
        "params": params,
    }
    job_id = insert_finished_job(conn, sweep, job, JobState.DONE, grade.verdict)
    stats = {
        "completion_tokens": run.result.get("tokens"),
        "decode_tps": run.result.get("tps"),
        "wall_s": run.result.get("wall_s"),
        "server_info": {
            "article_model": run.result.get("model"),
            "llama_cpp": "b8708",
            "published_at": run.where,
        },
        "error": None if run.response is not None else "response.txt missing from the published results",
    }
    insert_published_result(conn, job_id, run.response, stats, asdict(grade), ARTICLE_GRADER)
