"""Sweeps and their jobs as rows: what a submission records and enqueues, and what imports insert.

Every function runs in the caller's connection (and transaction): a submission records its jobs,
marks the ones to run `queued` and sends their messages before it commits (`scheduler/sweeps/submit.py`).

A batch of jobs is named by four parallel arrays, `JobKeys` (`models`, `exams`, `seeds`, `hashes`)
plus the sweep's name, and matched against `jobs` in one statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, TypedDict

from psycopg.types.json import Jsonb

from scheduler.db.vocabulary import (
    REGENERATED_VERDICTS,
    REGRADED_VERDICTS,
    JobState,
    Outcome,
    Verdict,
    sql_list,
)


class JobKeys(TypedDict):
    """A batch of job identities within one sweep, as parallel arrays."""

    sweep: str
    models: list[str]
    exams: list[str]
    seeds: list[int]
    hashes: list[str]


_KEYS_JOIN = """
    FROM jobs j
    JOIN unnest(%(models)s::text[], %(exams)s::text[], %(seeds)s::bigint[], %(hashes)s::text[])
         AS spec(model, exam, seed, params_hash)
      ON j.sweep = %(sweep)s AND j.model = spec.model AND j.exam = spec.exam
     AND j.seed = spec.seed AND j.params_hash = spec.params_hash
"""


def sweep_definition(conn: Any, name: str) -> dict[str, Any] | None:
    """The sweep's stored definition, None when there is no such sweep."""
    row = conn.execute("SELECT definition FROM sweeps WHERE name = %s", (name,)).fetchone()
    return None if row is None else dict(row["definition"] or {})


def sweep_names(conn: Any) -> list[str]:
    """Every sweep in the database, by name."""
    return [r["name"] for r in conn.execute("SELECT name FROM sweeps ORDER BY name").fetchall()]


def adaptive_sweep_names(conn: Any) -> list[str]:
    """The names of the sweeps whose definition has an `adaptive` block, sorted."""
    rows = conn.execute("SELECT name FROM sweeps WHERE definition ? 'adaptive' ORDER BY name").fetchall()
    return [r["name"] for r in rows]


def running_sweeps(conn: Any) -> dict[str, dict[str, Any]]:
    """The definition of every sweep with a job not done yet, by name."""
    rows = conn.execute(
        "SELECT s.name, s.definition FROM sweeps s"
        f" WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.sweep = s.name AND j.state <> '{JobState.DONE}')"
        " ORDER BY s.name"
    ).fetchall()
    return {r["name"]: dict(r["definition"] or {}) for r in rows}


def upsert_sweep(conn: Any, name: str, definition: Mapping[str, Any]) -> None:
    """Record the sweep, or refresh its definition (a submission)."""
    conn.execute(
        "INSERT INTO sweeps (name, definition) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()",
        (name, Jsonb(dict(definition))),
    )


def insert_sweep(conn: Any, name: str, definition: Mapping[str, Any]) -> None:
    """Record a new sweep (an import); fails if the name is taken."""
    conn.execute("INSERT INTO sweeps (name, definition) VALUES (%s, %s)", (name, Jsonb(dict(definition))))


def delete_sweep(conn: Any, name: str) -> None:
    """Delete the sweep and, by cascade, its jobs and results."""
    conn.execute("DELETE FROM sweeps WHERE name = %s", (name,))


def cell_templates(conn: Any, sweep: str) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """Per (model, exam) of the sweep, the params_hash and params of its latest job: what a new
    seed of that cell runs with."""
    rows = conn.execute(
        "SELECT DISTINCT ON (model, exam) model, exam, params_hash, params FROM jobs"
        " WHERE sweep = %s ORDER BY model, exam, id DESC",
        (sweep,),
    ).fetchall()
    return {(r["model"], r["exam"]): (r["params_hash"], dict(r["params"] or {})) for r in rows}


def insert_jobs(conn: Any, keys: JobKeys, params_json: list[str]) -> int:
    """Insert the jobs not known yet (`params_json[i]` is job i's params as JSON); return how many."""
    return int(
        conn.execute(
            "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params)"
            " SELECT %(sweep)s, t.m, t.e, t.s, t.h, t.p::jsonb"
            " FROM unnest(%(models)s::text[], %(exams)s::text[], %(seeds)s::bigint[],"
            "             %(hashes)s::text[], %(params)s::text[]) AS t(m, e, s, h, p)"
            " ON CONFLICT (sweep, model, exam, seed, params_hash) DO NOTHING",
            {**keys, "params": params_json},
        ).rowcount
    )


# The job's latest generation can be graded (a grader_error of it is graded again, not generated).
_GRADABLE = (
    "(SELECT g.outcome FROM generations g WHERE g.job_id = j.id ORDER BY g.id DESC LIMIT 1)"
    f" IN ({sql_list(Outcome.OK, Outcome.TRUNCATED)})"
)


def _runs_condition(rerun: bool, requeue: bool) -> str:
    """Which of the jobs a submission generates: new ones, failed generations, and per the flags."""
    states = [JobState.PENDING, *([JobState.QUEUED] if requeue else [])]
    condition = f"j.state IN ({sql_list(*states)})"
    if rerun:
        return f"({condition} OR j.state = '{JobState.DONE}')"
    failed = f"j.verdict IN ({sql_list(*REGENERATED_VERDICTS)})"
    ungradable = f"(j.verdict IN ({sql_list(*REGRADED_VERDICTS)}) AND NOT coalesce({_GRADABLE}, false))"
    return f"({condition} OR (j.state = '{JobState.DONE}' AND ({failed} OR {ungradable})))"


def _regrade_condition(rerun: bool) -> str:
    """Which of the jobs a submission grades again from their stored generation: grader_error ones."""
    if rerun:
        return "false"
    return f"(j.state = '{JobState.DONE}' AND j.verdict IN ({sql_list(*REGRADED_VERDICTS)}) AND coalesce({_GRADABLE}, false))"


def regrade_jobs(conn: Any, keys: JobKeys) -> list[int]:
    """Put the jobs whose grade failed on our side back to `generated`, their grading claims counted
    afresh (locking them); return their ids. Their grade messages are the caller's to send."""
    rows = conn.execute(
        f"UPDATE jobs SET state = '{JobState.GENERATED}', verdict = NULL, finished_at = NULL, grading_claims = 0,"
        "  lease_owner = NULL, lease_expires_at = NULL, updated_at = now()"
        " WHERE id IN (SELECT j.id" + _KEYS_JOIN + " WHERE " + _regrade_condition(False) + " FOR UPDATE OF j)"
        " RETURNING id",
        keys,
    ).fetchall()
    return sorted(int(r["id"]) for r in rows)


def enqueue_jobs(conn: Any, keys: JobKeys, *, rerun: bool, requeue: bool) -> list[dict[str, Any]]:
    """Mark the jobs to run `queued` (locking them); return their id, model, exam and seed."""
    return list(
        conn.execute(
            f"UPDATE jobs SET state = '{JobState.QUEUED}', verdict = NULL, enqueued_at = now(), updated_at = now(),"
            "  finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL"
            # --rerun starts a conversation over; otherwise a job resumes at its turn (scheduler/db/turns.py)
            + (", turn = 1, grading_claims = 0" if rerun else "")
            + " WHERE id IN (SELECT j.id"
            + _KEYS_JOIN
            + " WHERE "
            + _runs_condition(rerun, requeue)
            + " FOR UPDATE OF j)"
            " RETURNING id, model, exam, seed",
            keys,
        ).fetchall()
    )


def known_jobs(conn: Any, keys: JobKeys, *, rerun: bool, requeue: bool) -> list[dict[str, Any]]:
    """The known jobs among `keys`: model, exam, seed, params_hash, state, verdict, `runs` (whether a
    submission with these flags would generate it) and `regrades` (would grade it again)."""
    return list(
        conn.execute(
            "SELECT j.model, j.exam, j.seed, j.params_hash, j.state, j.verdict,"
            " " + _runs_condition(rerun, requeue) + " AS runs,"
            " " + _regrade_condition(rerun) + " AS regrades" + _KEYS_JOIN,
            keys,
        ).fetchall()
    )


def unheld_jobs_among(conn: Any, keys: JobKeys) -> list[dict[str, Any]]:
    """The jobs among `keys` past `queued` that nothing holds: generated, or claimed under a lease
    that expired; id, model and state, by id."""
    return list(
        conn.execute(
            "SELECT j.id, j.model, j.state" + _KEYS_JOIN + f" WHERE j.state = '{JobState.GENERATED}'"
            f" OR (j.state IN ('{JobState.GENERATING}', '{JobState.GRADING}')"
            "  AND (j.lease_expires_at IS NULL OR j.lease_expires_at < now())) ORDER BY j.id",
            keys,
        ).fetchall()
    )


def job_states(conn: Any, keys: JobKeys) -> dict[str, int]:
    """How many of the jobs are in each state."""
    rows = conn.execute("SELECT j.state" + _KEYS_JOIN, keys).fetchall()
    return dict(sorted(Counter(r["state"] for r in rows).items()))


def insert_finished_job(
    conn: Any,
    sweep: str,
    job: Mapping[str, Any],
    state: JobState | str,
    verdict: Verdict | str | None,
    turn: int = 1,
) -> int:
    """Insert one job as an import found it (`job` has model, exam, seed, params_hash, params), at
    repair turn `turn` (scheduler/db/turns.py)."""
    row = conn.execute(
        "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params, state, verdict, finished_at, turn)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END, %s) RETURNING id",
        (
            sweep,
            job["model"],
            job["exam"],
            job["seed"],
            job["params_hash"],
            Jsonb(job["params"]),
            state,
            verdict,
            state == JobState.DONE,
            turn,
        ),
    ).fetchone()
    return int(row["id"])
