"""Export a sweep as JSONL and import it elsewhere: the import reproduces the same report.

One line per job, in the sweep's model order. Top-level fields are the DESIGN.md contract (the grade
the report uses: ours when present, else the imported one); `generation` and `grades` carry what is
needed to rebuild the report and regrade (the response text, every grade, the params) for the job's
latest generation. A job with repair turns (scheduler/db/turns.py) adds `turn` (the turn it is at)
and `earlier_turns`: each turn before its latest generation's, oldest first, as
`{"generation": {...}, "grades": [...]}` (a turn's latest generation, with its `turn`; its grades
with the `feedback` the model was sent), so the per-turn report survives the trip. A line without
them (a one-turn job, an export made before repair turns, the article's import) is one turn.

An import is all or nothing: every line is checked first (JSON, fields, seed range, state and
verdict names, one line per job), then everything is inserted in one transaction, and a value
the database refuses names its line. Jobs that were not done when exported are imported as
`pending` (nothing is sent for them; `scheduler submit` runs them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import psycopg

from exams.types import Verdict
from scheduler.core.errors import QuantsweepError
from scheduler.db.catalog import upsert_models
from scheduler.db.results import (
    earlier_turn_fields,
    grade_fields,
    insert_generation,
    insert_grade,
    latest_generation_fields,
    sweep_jobs,
)
from scheduler.db.sweeps import insert_finished_job, insert_sweep, sweep_definition
from scheduler.db.vocabulary import AnswerSource, GenerationSource, JobState
from scheduler.results.runs import GradeChoice, load_runs
from scheduler.sweeps.catalog import MAX_SEED, Model

FORMAT = "quantsweep-export/1"
GENERATION_FIELDS = (
    "source",
    "outcome",
    "response_text",
    "reasoning_text",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "prompt_tps",
    "decode_tps",
    "timings",
    "first_token_s",
    "wall_s",
    "server_info",
    "error",
    "quantsweep_version",
    "answer_source",
    "turn",
)
# Omitted or null in a line: answer_source and turn in exports made before they were recorded; the
# rest by hand.
GENERATION_DEFAULTS: dict[str, Any] = {
    "answer_source": AnswerSource.CONTENT,
    "turn": 1,
    "source": GenerationSource.GENERATED,
    "response_text": "",
    "reasoning_text": "",
}
GRADE_FIELDS = (
    "grader_version",
    "round",
    "score",
    "max_score",
    "verdict",
    "compiled",
    "checks",
    "log",
    "duration_s",
    "worker_name",
    "external",
    "quantsweep_version",
    "feedback",
)
GRADE_DEFAULTS: dict[str, Any] = {"round": 1, "log": "", "checks": [], "external": False, "compiled": False}
# A grade field under the name exports made before migration 007 gave it.
GRADE_FORMER_NAMES = {"worker_name": "grader_host"}
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
        turns: dict[str, Any] = {}
        if job["turn"] > 1:
            last = 1 if generation is None else generation["turn"]
            earlier = earlier_turn_fields(conn, job["id"], last, GENERATION_FIELDS)
            turns = {
                "turn": job["turn"],
                "earlier_turns": [
                    {
                        "generation": {k: g[k] for k in GENERATION_FIELDS},
                        "grades": grade_fields(conn, g["id"], GRADE_FIELDS),
                    }
                    for g in earlier
                ],
            }
        yield {
            "format": FORMAT,
            "sweep": sweep,
            "model": job["model"],
            "label": job["label"],
            "family": job["family"],
            "quant": job["quant"],
            "size_gb": job["size_gb"],
            "model_options": job["options"],
            "exam": job["exam"],
            "seed": job["seed"],
            "params_hash": job["params_hash"],
            "params": job["params"],
            "prompt_style": run.prompt_style,
            "state": job["state"],
            "job_verdict": job["verdict"],
            "score": grade.score if grade else None,
            "max_score": grade.max_score if grade else None,
            "compiled": grade.compiled if grade else None,
            "verdict": run.verdict(GradeChoice.AUTO),
            "grader_version": grade.grader_version if grade else None,
            "finish_reason": run.finish_reason,
            "prompt_tokens": run.prompt_tokens,
            "completion_tokens": run.completion_tokens,
            "tokens_per_second": run.decode_tps,
            "prompt_tokens_per_second": run.prompt_tps,
            "wall_s": run.wall_s,
            "checks": grade.checks if grade else [],
            "generation": None if generation is None else {k: generation[k] for k in GENERATION_FIELDS},
            "grades": [dict(g) for g in grades],
            **turns,
        }


def write_export(conn: Any, sweep: str, out: IO[str]) -> int:
    """Write the sweep's JSONL to `out`; return the number of lines."""
    count = 0
    for line in export_lines(conn, sweep):
        out.write(json_line(line) + "\n")
        count += 1
    return count


def json_line(obj: dict[str, Any]) -> str:
    """One export line: UTF-8 text as it is, and `\\uXXXX` escapes where no UTF-8 file can hold
    the text (a lone surrogate in an answer); JSON's own escapes give NUL and the rest back."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, sort_keys=True)
    return text


def read_export(path: Path) -> list[dict[str, Any]]:
    """Parse and check every line first, so a bad file writes nothing."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExchangeError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ExchangeError(
            f"{path}: not UTF-8 text (offset {exc.start}); is this a `scheduler export` file?"
        ) from None
    lines: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ExchangeError(
                f"{path}:{number}: not JSON ({exc.msg}); each line must be one export object"
            ) from None
        if not isinstance(obj, dict):
            raise ExchangeError(f"{path}:{number}: expected a JSON object")
        missing = [k for k in REQUIRED if k not in obj]
        if missing:
            raise ExchangeError(
                f"{path}:{number}: missing field(s) {', '.join(missing)}; is this a `scheduler export` file?"
            )
        if obj["format"] != FORMAT:
            raise ExchangeError(f"{path}:{number}: format {obj['format']!r} is not {FORMAT!r}")
        problem = _line_problem(obj)
        if problem:
            raise ExchangeError(f"{path}:{number}: {problem}; nothing was imported")
        key = (obj["sweep"], obj["model"], obj["exam"], obj["seed"], obj["params_hash"])
        if key in seen:
            raise ExchangeError(
                f"{path}:{number}: the same job as line {seen[key]} ({obj['model']} {obj['exam']} "
                f"seed {obj['seed']}); each job must appear once; nothing was imported"
            )
        seen[key] = number
        lines.append(obj)
    if not lines:
        raise ExchangeError(f"{path}: no export lines found")
    return lines


def _line_problem(obj: dict[str, Any]) -> str | None:
    """What is wrong with one export object's values (None: fine); the database checks the rest."""
    for key in ("sweep", "model", "label", "family", "exam", "params_hash"):
        if not isinstance(obj[key], str) or not obj[key]:
            return f"{key} must be a non-empty string, got {obj[key]!r}"
    seed = obj["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        return f"seed must be an integer from 0 to {MAX_SEED}, got {seed!r}"
    if not isinstance(obj["params"], dict):
        return f"params must be an object, got {obj['params']!r}"
    states = [s.value for s in JobState]
    if obj["state"] not in states:
        return f"state {obj['state']!r} is not one of {', '.join(states)}"
    verdicts = [v.value for v in Verdict]
    verdict = obj.get("job_verdict")
    if obj["state"] == JobState.DONE and verdict not in verdicts:
        return f"a done job needs job_verdict, one of {', '.join(verdicts)}; got {verdict!r}"
    generation = obj.get("generation")
    return _answer_problem(generation, obj.get("grades"), "") or _turns_problem(obj, generation)


def _answer_problem(generation: Any, grades: Any, where: str) -> str | None:
    """What is wrong with one generation and its grades (`where` prefixes the field names)."""
    if generation is not None and (
        not isinstance(generation, dict) or not isinstance(generation.get("outcome"), str)
    ):
        return f"{where}generation must be null or an object with an outcome"
    if generation is not None and generation.get("turn") is not None and not _is_turn(generation["turn"]):
        return f"{where}generation.turn must be an integer from 1, got {generation['turn']!r}"
    grades = grades or []
    if not isinstance(grades, list) or not all(isinstance(g, dict) for g in grades):
        return f"{where}grades must be a list of objects"
    if grades and generation is None:
        return f"{where}grades without a generation"
    verdicts = [v.value for v in Verdict]
    for i, grade in enumerate(grades):
        if grade.get("verdict") not in verdicts:
            return f"{where}grades[{i}].verdict {grade.get('verdict')!r} is not one of {', '.join(verdicts)}"
        feedback = grade.get("feedback")
        if feedback is not None and not isinstance(feedback, str):
            return f"{where}grades[{i}].feedback must be text or null, got {type(feedback).__name__}"
    return None


def _is_turn(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _job_turn(line: dict[str, Any]) -> Any:
    """The turn a line's job is at: its `turn`, else its latest generation's, else 1."""
    return line.get("turn", (line.get("generation") or {}).get("turn") or 1)


def _turns_problem(obj: dict[str, Any], generation: Any) -> str | None:
    """What is wrong with a line's repair turns: `turn` (the job's; default its latest generation's)
    and `earlier_turns`, each turn numbered from 1 up, each below the next and below the latest
    generation's turn, which is not after the job's."""
    last = int((generation or {}).get("turn") or 1)
    turn = _job_turn(obj)
    if not _is_turn(turn):
        return f"turn must be an integer from 1, got {turn!r}"
    if last > turn:
        return f"the generation answers turn {last}, after the job's turn {turn}"
    earlier = obj.get("earlier_turns") or []
    if not isinstance(earlier, list) or not all(isinstance(t, dict) for t in earlier):
        return "earlier_turns must be a list of objects, each with a generation and its grades"
    if earlier and generation is None:
        return "earlier_turns without a generation (the latest turn's)"
    previous = 0
    for i, item in enumerate(earlier):
        where = f"earlier_turns[{i}]."
        if not isinstance(item.get("generation"), dict):
            return f"{where}generation must be an object with an outcome"
        problem = _answer_problem(item["generation"], item.get("grades"), where)
        if problem:
            return problem
        number = item["generation"].get("turn")
        if not _is_turn(number) or not previous < number < last:
            return (
                f"{where}generation.turn must be an integer above {previous} and below the latest"
                f" generation's turn {last}, got {number!r}"
            )
        previous = number
    return None


def import_lines(conn: Any, lines: Iterable[dict[str, Any]], sweep: str | None = None) -> dict[str, int]:
    """Insert the exported jobs (as sweep `sweep`, default their own), in one transaction."""
    lines = list(lines)
    counts: dict[str, int] = {}
    with conn.transaction():
        names = {sweep} if sweep else {line["sweep"] for line in lines}
        for name in sorted(names):
            if sweep_definition(conn, name) is not None:
                raise ExchangeError(
                    f"sweep {name!r} already exists in the database; import into an empty "
                    "database or pass --sweep NEW_NAME"
                )
        for name in sorted(names):
            own = [ln for ln in lines if sweep or ln["sweep"] == name]
            _insert_sweep(conn, name, own)
            counts[name] = len(own)
    return counts


def _insert_sweep(conn: Any, name: str, lines: list[dict[str, Any]]) -> None:
    rows = {
        line["model"]: Model(
            line["model"],
            line["label"],
            line["family"],
            line.get("quant"),
            line.get("size_gb"),
            line.get("model_options") or {},
        )
        for line in lines
    }
    models = list(rows)
    upsert_models(conn, rows.values())
    definition = {
        "models": models,
        "exams": sorted({ln["exam"] for ln in lines}),
        "seeds": sorted({ln["seed"] for ln in lines}),
        "source": "import",
    }
    insert_sweep(conn, name, definition)
    for number, line in enumerate(lines, start=1):
        try:
            _insert_job(conn, name, line)
        except (psycopg.errors.IntegrityError, psycopg.errors.DataError) as exc:
            detail = (exc.diag.message_primary or str(exc)).strip()
            raise ExchangeError(
                f"job {number} of sweep {name!r} ({line['model']} {line['exam']} seed {line['seed']}):"
                f" the database refused it ({detail}); nothing was imported"
            ) from None


def _insert_job(conn: Any, name: str, line: dict[str, Any]) -> None:
    """One job at its turn, with each earlier turn's generation and grades, then its latest
    generation and that generation's grades (so the latest stays the newest)."""
    state = JobState.DONE if line["state"] == JobState.DONE else JobState.PENDING
    job_id = insert_finished_job(
        conn, name, line, state, line.get("job_verdict") if state == JobState.DONE else None, _job_turn(line)
    )
    for earlier in line.get("earlier_turns") or []:
        _insert_answer(conn, job_id, earlier["generation"], earlier.get("grades"))
    if line.get("generation"):
        _insert_answer(conn, job_id, line["generation"], line.get("grades"))


def _insert_answer(
    conn: Any, job_id: int, generation: dict[str, Any], grades: list[dict[str, Any]] | None
) -> None:
    given = {**GENERATION_DEFAULTS, **{k: v for k, v in generation.items() if v is not None}}
    generation_id = insert_generation(conn, job_id, {k: given.get(k) for k in GENERATION_FIELDS})
    for grade in grades or []:
        insert_grade(conn, generation_id, {k: _grade_value(grade, k) for k in GRADE_FIELDS})


def _grade_value(grade: dict[str, Any], key: str) -> Any:
    value = grade.get(key, grade.get(GRADE_FORMER_NAMES.get(key, key)))
    return GRADE_DEFAULTS.get(key) if value is None else value
