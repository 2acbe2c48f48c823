"""Export a sweep as JSONL and import it elsewhere: the import reproduces the same report.

One line per job, in the sweep's model order. Top-level fields are the DESIGN.md contract (the grade
the report uses: ours when present, else the imported one); `generation` and `grades` carry what is
needed to rebuild the report and regrade (the response text, every grade, the params).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from scheduler.catalog import Model
from scheduler.db.catalog import upsert_models
from scheduler.db.results import (
    grade_fields,
    insert_generation,
    insert_grade,
    latest_generation_fields,
    sweep_jobs,
)
from scheduler.db.sweeps import insert_finished_job, insert_sweep, sweep_definition
from scheduler.errors import QuantsweepError
from scheduler.reports.runs import GradeChoice, load_runs

FORMAT = "quantsweep-export/1"
GENERATION_FIELDS = ("source", "outcome", "response_text", "reasoning_text", "finish_reason", "prompt_tokens",
                     "completion_tokens", "prompt_tps", "decode_tps", "timings", "first_token_s", "wall_s",
                     "server_info", "error", "quantsweep_version", "answer_source")
GENERATION_DEFAULTS: dict[str, Any] = {"answer_source": "content"}  # exports made before it was recorded
GRADE_FIELDS = ("grader_version", "round", "score", "max_score", "verdict", "compiled", "checks", "log",
                "duration_s", "grader_host", "external", "quantsweep_version")
GRADE_DEFAULTS: dict[str, Any] = {"round": 1, "log": "", "checks": [], "external": False, "compiled": False}
REQUIRED = ("format", "sweep", "model", "label", "family", "exam", "seed", "params_hash", "params", "state")


class ExchangeError(QuantsweepError):
    """An export file cannot be imported (bad line, sweep already present)."""


def export_lines(conn: Any, sweep: str) -> Iterator[dict[str, Any]]:
    """One object per job of `sweep`, in the sweep's model order."""
    runs = load_runs(conn, sweep)
    order = {m: i for i, m in enumerate(runs.model_order)}
    jobs = sweep_jobs(conn, sweep)
    jobs.sort(key=lambda j: (order.get(j["model"], len(order)), j["exam"], j["seed"], j["params_hash"]))
    by_job = {r.job_id: r for r in runs.runs}
    for job in jobs:
        generation = latest_generation_fields(conn, job["id"], GENERATION_FIELDS)
        grades = [] if generation is None else grade_fields(conn, generation["id"], GRADE_FIELDS)
        run = by_job[job["id"]]
        grade = run.ours or run.external
        yield {
            "format": FORMAT, "sweep": sweep, "model": job["model"], "label": job["label"],
            "family": job["family"], "quant": job["quant"], "size_gb": job["size_gb"],
            "model_options": job["options"], "exam": job["exam"], "seed": job["seed"],
            "params_hash": job["params_hash"], "params": job["params"], "state": job["state"],
            "job_verdict": job["verdict"],
            "score": grade.score if grade else None, "max_score": grade.max_score if grade else None,
            "compiled": grade.compiled if grade else None, "verdict": run.verdict(GradeChoice.AUTO),
            "grader_version": grade.grader_version if grade else None,
            "finish_reason": run.finish_reason, "prompt_tokens": run.prompt_tokens,
            "completion_tokens": run.completion_tokens, "tokens_per_second": run.decode_tps,
            "prompt_tokens_per_second": run.prompt_tps, "wall_s": run.wall_s,
            "checks": grade.checks if grade else [],
            "generation": None if generation is None else {k: generation[k] for k in GENERATION_FIELDS},
            "grades": [dict(g) for g in grades],
        }


def write_export(conn: Any, sweep: str, out: IO[str]) -> int:
    """Write the sweep's JSONL to `out`; return the number of lines."""
    count = 0
    for line in export_lines(conn, sweep):
        out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def read_export(path: Path) -> list[dict[str, Any]]:
    """Parse and check every line first, so a bad file writes nothing."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror}") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ExchangeError(f"{path}:{number}: not JSON ({exc.msg}); each line must be one export object") \
                from None
        if not isinstance(obj, dict):
            raise ExchangeError(f"{path}:{number}: expected a JSON object")
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            raise ExchangeError(f"{path}:{number}: missing field(s) {', '.join(missing)}; "
                                "is this a `scheduler export` file?")
        if obj["format"] != FORMAT:
            raise ExchangeError(f"{path}:{number}: format {obj['format']!r} is not {FORMAT!r}")
        lines.append(obj)
    if not lines:
        raise ExchangeError(f"{path}: no export lines found")
    return lines


def import_lines(conn: Any, lines: Iterable[dict[str, Any]], sweep: str | None = None) -> dict[str, int]:
    """Insert the exported jobs (as sweep `sweep`, default their own), in one transaction."""
    lines = list(lines)
    counts: dict[str, int] = {}
    with conn.transaction():
        names = {sweep} if sweep else {line["sweep"] for line in lines}
        for name in sorted(names):
            if sweep_definition(conn, name) is not None:
                raise ExchangeError(f"sweep {name!r} already exists in the database; import into an empty "
                                    "database or pass --sweep NEW_NAME")
        for name in sorted(names):
            own = [ln for ln in lines if sweep or ln["sweep"] == name]
            _insert_sweep(conn, name, own)
            counts[name] = len(own)
    return counts


def _insert_sweep(conn: Any, name: str, lines: list[dict[str, Any]]) -> None:
    rows = {line["model"]: Model(line["model"], line["label"], line["family"], line.get("quant"),
                                  line.get("size_gb"), line.get("model_options") or {}) for line in lines}
    models = list(rows)
    upsert_models(conn, rows.values())
    definition = {"models": models, "exams": sorted({ln["exam"] for ln in lines}),
                  "seeds": sorted({ln["seed"] for ln in lines}), "source": "import"}
    insert_sweep(conn, name, definition)
    for line in lines:
        job_id = insert_finished_job(conn, name, line, line["state"], line.get("job_verdict"))
        generation = line.get("generation")
        if not generation:
            continue
        generation_id = insert_generation(
            conn, job_id, {k: generation.get(k, GENERATION_DEFAULTS.get(k)) for k in GENERATION_FIELDS}
        )
        for grade in line.get("grades") or []:
            insert_grade(conn, generation_id, {k: _grade_value(grade, k) for k in GRADE_FIELDS})


def _grade_value(grade: dict[str, Any], key: str) -> Any:
    value = grade.get(key)
    return GRADE_DEFAULTS.get(key) if value is None else value
