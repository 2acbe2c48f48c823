"""Stored generations and grades: read back for reports, regrades and exports, written by imports.

Every function runs in the caller's connection. A job's result is its latest generation (highest
id) and that generation's grades; the report keeps the newest grade of each kind (ours, external).
A job with repair turns (scheduler/db/turns.py) has a generation per turn: a turn's answer is its
latest generation, and regrades and exports take every turn's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from scheduler.db import QUANTSWEEP_VERSION
from scheduler.db.text import answer_texts, storable, stored_answers
from scheduler.db.vocabulary import GenerationSource, Outcome

_RUNS_SQL = """
SELECT j.id AS job_id, j.model, j.exam, j.seed, j.state, j.verdict AS job_verdict,
       COALESCE(j.params->>'prompt_style', 'chat') AS prompt_style, m.label, m.family, m.quant, m.size_gb::float8 AS size_gb,
       g.id AS generation_id, g.outcome, g.finish_reason, g.prompt_tokens, g.completion_tokens,
       g.prompt_tps, g.decode_tps, g.wall_s, g.answer_source,
       (g.timings->>'draft_n')::bigint AS draft_n, (g.timings->>'draft_n_accepted')::bigint AS draft_n_accepted
FROM jobs j
JOIN models m ON m.id = j.model
LEFT JOIN LATERAL (
    SELECT * FROM generations WHERE job_id = j.id ORDER BY id DESC LIMIT 1
) g ON true
WHERE j.sweep = %s
ORDER BY j.model, j.exam, j.seed, j.id
"""

_GRADES_SQL = """
SELECT generation_id, grader_version, score, max_score, verdict, compiled, checks, external
FROM grades WHERE generation_id = ANY(%s) ORDER BY id
"""

_REGRADE_SQL = """
SELECT DISTINCT ON (j.id, g.turn) j.id AS job_id, j.exam, g.turn, g.id AS generation_id, g.outcome, g.error,
       g.response_text = '' AS empty,
       (SELECT coalesce(array_agg(gr.grader_version || ':' || gr.round ORDER BY gr.id), '{}') FROM grades gr
         WHERE gr.generation_id = g.id AND NOT gr.external) AS ours
FROM jobs j JOIN generations g ON g.job_id = j.id
WHERE j.sweep = %s
ORDER BY j.id, g.turn, g.id DESC
"""


def latest_runs(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """One row per job of `sweep`: the job, its model's catalog row and its latest generation."""
    return list(conn.execute(_RUNS_SQL, (sweep,)).fetchall())


def grades_of(conn: Any, generation_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every grade of these generations, oldest first."""
    return list(conn.execute(_GRADES_SQL, (list(generation_ids),)).fetchall())


def latest_results(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """One row per job of `sweep`, by exam and seed: its model's id and label, its verdict, and the
    figures of its latest generation and of that generation's newest grade."""
    return list(
        conn.execute(
            "SELECT j.model, m.label, j.exam, j.seed, j.verdict, r.score, r.max_score, g.outcome, g.finish_reason,"
            "  g.completion_tokens, g.decode_tps, g.first_token_s, g.wall_s, r.duration_s"
            " FROM jobs j JOIN models m ON m.id = j.model"
            " LEFT JOIN LATERAL (SELECT * FROM generations WHERE job_id = j.id ORDER BY id DESC LIMIT 1) g ON true"
            " LEFT JOIN LATERAL (SELECT * FROM grades WHERE generation_id = g.id ORDER BY id DESC LIMIT 1) r ON true"
            " WHERE j.sweep = %s ORDER BY j.exam, j.seed",
            (sweep,),
        ).fetchall()
    )


def regrade_candidates(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """Each turn's latest generation of each job (a one-turn job: its latest generation), by job and
    turn, with its outcome, whether its text is empty, and our grades of it as `version:round`
    strings, oldest first (`ours`)."""
    return list(conn.execute(_REGRADE_SQL, (sweep,)).fetchall())


def response_of(conn: Any, generation_id: int) -> dict[str, Any] | None:
    """A generation's `response_text` and `finish_reason`."""
    row = conn.execute(
        "SELECT response_text, finish_reason, text_encoding FROM generations WHERE id = %s", (generation_id,)
    ).fetchone()
    return None if row is None else answer_texts(row)


def count_grades(conn: Any, keys: Sequence[tuple[int, str, int]]) -> int:
    """How many of these (generation id, grader version, round) grades are stored."""
    if not keys:
        return 0
    row = conn.execute(
        "SELECT count(*) AS n FROM grades g JOIN unnest(%s::bigint[], %s::text[], %s::int[]) AS t(gid, v, r)"
        " ON g.generation_id = t.gid AND g.grader_version = t.v AND g.round = t.r",
        ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
    ).fetchone()
    return int(row["n"])


def sweep_jobs(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """Every job of `sweep` with its params, state, verdict, turn and its model's catalog row."""
    return list(
        conn.execute(
            "SELECT j.id, j.model, j.exam, j.seed, j.params_hash, j.params, j.state, j.verdict, j.turn,"
            " m.label, m.family, m.quant, m.size_gb::float8 AS size_gb, m.options"
            " FROM jobs j JOIN models m ON m.id = j.model WHERE j.sweep = %s",
            (sweep,),
        ).fetchall()
    )


def latest_generation_fields(conn: Any, job_id: int, fields: Sequence[str]) -> dict[str, Any] | None:
    """The job's latest generation: its `id` and the named columns (answers as they were sent)."""
    columns = sql.SQL(", ").join(sql.Identifier(f) for f in ("id", *fields, "text_encoding"))
    row = conn.execute(
        sql.SQL("SELECT {} FROM generations WHERE job_id = %s ORDER BY id DESC LIMIT 1").format(columns),
        (job_id,),
    ).fetchone()
    return None if row is None else answer_texts(row)


def earlier_turn_fields(
    conn: Any, job_id: int, before_turn: int, fields: Sequence[str]
) -> list[dict[str, Any]]:
    """The job's turns before `before_turn`, oldest first: each turn's latest generation (its
    answer), as `latest_generation_fields` gives it."""
    columns = sql.SQL(", ").join(sql.Identifier(f) for f in ("id", *fields, "text_encoding"))
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT ON (turn) {} FROM generations WHERE job_id = %s AND turn < %s ORDER BY turn, id DESC"
        ).format(columns),
        (job_id, before_turn),
    ).fetchall()
    return [answer_texts(r) for r in rows]


def grade_fields(conn: Any, generation_id: int, fields: Sequence[str]) -> list[dict[str, Any]]:
    """The named columns of every grade of the generation, oldest first."""
    columns = sql.SQL(", ").join(sql.Identifier(f) for f in fields)
    return [
        dict(r)
        for r in conn.execute(
            sql.SQL("SELECT {} FROM grades WHERE generation_id = %s ORDER BY id").format(columns),
            (generation_id,),
        ).fetchall()
    ]


def _insert(conn: Any, table: str, values: Mapping[str, Any], returning: bool) -> Any:
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(k) for k in values),
        sql.SQL(", ").join(sql.Placeholder() for _ in values),
    )
    if returning:
        query = query + sql.SQL(" RETURNING id")
    return conn.execute(query, list(values.values()))


def insert_generation(conn: Any, job_id: int, values: Mapping[str, Any]) -> int:
    """Insert a generation of the job with these column values (JSON columns as plain objects;
    answers as they were sent, stored as `scheduler/db/text.py` says)."""
    row: dict[str, Any] = dict(values)
    for key in ("timings", "server_info"):
        if row.get(key) is not None:
            row[key] = Jsonb(storable(row[key]))
    for key in ("error", "finish_reason"):
        if key in row:
            row[key] = storable(row[key])
    row["text_encoding"], row["response_text"], row["reasoning_text"] = stored_answers(
        str(values.get("response_text") or ""), str(values.get("reasoning_text") or "")
    )
    return int(_insert(conn, "generations", {"job_id": job_id, **row}, returning=True).fetchone()["id"])


def insert_grade(conn: Any, generation_id: int, values: Mapping[str, Any]) -> None:
    """Insert a grade of the generation with these column values (`checks` as a plain list)."""
    row = {
        k: Jsonb(storable(v)) if k == "checks" else storable(v) if k == "log" else v
        for k, v in values.items()
    }
    _insert(conn, "grades", {"generation_id": generation_id, **row}, returning=False)


def insert_published_result(
    conn: Any,
    job_id: int,
    response: str | None,
    stats: Mapping[str, Any],
    grade: Mapping[str, Any],
    grader_version: str,
) -> None:
    """Store a published response (an imported generation) and its publisher's own score as an
    external grade. `stats` holds completion_tokens, decode_tps, wall_s, server_info and error;
    `grade` holds score, max_score, verdict, compiled, checks and log."""
    generation_id = insert_generation(
        conn,
        job_id,
        {
            "source": GenerationSource.IMPORTED,
            "outcome": Outcome.OK,
            "response_text": response or "",
            "completion_tokens": stats.get("completion_tokens"),
            "decode_tps": stats.get("decode_tps"),
            "wall_s": stats.get("wall_s"),
            "server_info": stats.get("server_info") or {},
            "error": stats.get("error"),
            "quantsweep_version": QUANTSWEEP_VERSION,
        },
    )
    insert_grade(
        conn,
        generation_id,
        {
            "grader_version": grader_version,
            "score": grade["score"],
            "max_score": grade["max_score"],
            "verdict": grade["verdict"],
            "compiled": grade["compiled"],
            "checks": grade["checks"],
            "log": grade["log"],
            "external": True,
            "quantsweep_version": QUANTSWEEP_VERSION,
        },
    )
