"""Submitting a sweep: record its jobs in Postgres and enqueue the ones that need a run.

One submission is one Postgres transaction: jobs are inserted (ON CONFLICT DO NOTHING, so a job
already known keeps its results), the jobs to run are marked `queued`, their messages are sent, and
only then is the transaction committed. If sending fails, nothing is committed; a message sent for
a job whose transaction then failed names a job id that never existed and is dropped by the worker.

Which jobs are enqueued:
- new jobs, and jobs whose last run ended in a retryable infra outcome (server_error, gen_timeout,
  grader_error). `truncated` is a result of the sweep's own max_tokens and is not retried.
- with `rerun`, also every finished job (a new attempt; earlier attempts are kept).
- with `requeue`, also jobs already `queued` (re-sends messages lost with a Redis restart; the
  duplicates this may make are harmless).
Jobs being generated or graded right now are never enqueued again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb

from scheduler.catalog import Model, Sweep
from scheduler.db import connect
from scheduler.plan import JobSpec
from scheduler.publish import publish_generate
from scheduler.settings import Settings

RETRIED_VERDICTS = ("server_error", "gen_timeout", "grader_error")


@dataclass
class SubmitResult:
    """What one submission did (or, for a dry run, would do)."""

    sweep: str
    jobs: int
    new: int
    enqueued: int
    states: dict[str, int] = field(default_factory=dict)
    enqueued_job_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The `submit --json` object."""
        return {
            "sweep": self.sweep,
            "jobs": self.jobs,
            "new": self.new,
            "enqueued": self.enqueued,
            "states": self.states,
            "enqueued_job_ids": self.enqueued_job_ids,
        }


def _spec_arrays(specs: Sequence[JobSpec]) -> dict[str, Any]:
    return {
        "models": [s.model for s in specs],
        "exams": [s.exam for s in specs],
        "seeds": [s.seed for s in specs],
        "hashes": [s.params_hash for s in specs],
    }


_SPEC_JOIN = """
    FROM jobs j
    JOIN unnest(%(models)s::text[], %(exams)s::text[], %(seeds)s::bigint[], %(hashes)s::text[])
         AS spec(model, exam, seed, params_hash)
      ON j.sweep = %(sweep)s AND j.model = spec.model AND j.exam = spec.exam
     AND j.seed = spec.seed AND j.params_hash = spec.params_hash
"""


def _run_condition(rerun: bool, requeue: bool) -> str:
    states = ["'pending'"] + (["'queued'"] if requeue else [])
    condition = f"j.state IN ({', '.join(states)})"
    if rerun:
        return f"({condition} OR j.state = 'done')"
    retried = ", ".join(f"'{v}'" for v in RETRIED_VERDICTS)
    return f"({condition} OR (j.state = 'done' AND j.verdict IN ({retried})))"


def submit(
    settings: Settings,
    sweep: Sweep,
    catalog: Mapping[str, Model],
    specs: Sequence[JobSpec],
    *,
    rerun: bool = False,
    requeue: bool = False,
    exam_order: Sequence[str] | None = None,
) -> SubmitResult:
    """Record and enqueue `specs` in one transaction.

    Messages go out model by model (each model queue is FIFO), and within a model in `exam_order`:
    longest jobs first, so the short ones fill the gaps at the end of a sweep across machines.
    """
    exam_rank = {exam: i for i, exam in enumerate(exam_order or sweep.exams)}
    arrays = {"sweep": sweep.name, **_spec_arrays(specs)}
    with connect(settings) as conn, conn.transaction():
        _upsert_models(conn, [catalog[m] for m in sweep.models])
        conn.execute(
            "INSERT INTO sweeps (name, definition) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()",
            (sweep.name, Jsonb(_definition(sweep))),
        )
        inserted = conn.execute(
            "INSERT INTO jobs (sweep, model, exam, seed, params_hash, params)"
            " SELECT %(sweep)s, t.m, t.e, t.s, t.h, t.p::jsonb"
            " FROM unnest(%(models)s::text[], %(exams)s::text[], %(seeds)s::bigint[],"
            "             %(hashes)s::text[], %(params)s::text[]) AS t(m, e, s, h, p)"
            " ON CONFLICT (sweep, model, exam, seed, params_hash) DO NOTHING",
            {**arrays, "params": [_params_json(s) for s in specs]},
        ).rowcount
        rows = conn.execute(
            "UPDATE jobs SET state = 'queued', verdict = NULL, enqueued_at = now(), updated_at = now(),"
            "  finished_at = NULL, lease_owner = NULL, lease_expires_at = NULL"
            " WHERE id IN (SELECT j.id" + _SPEC_JOIN + " WHERE " + _run_condition(rerun, requeue) +
            " FOR UPDATE OF j)"
            " RETURNING id, model, exam, seed",
            arrays,
        ).fetchall()
        rows.sort(key=lambda r: (sweep.models.index(r["model"]), exam_rank[r["exam"]], r["seed"]))
        publish_generate(settings, [(r["id"], r["model"]) for r in rows])
        states = _states(conn, arrays)
    return SubmitResult(
        sweep=sweep.name,
        jobs=len(specs),
        new=inserted,
        enqueued=len(rows),
        states=states,
        enqueued_job_ids=[r["id"] for r in rows],
    )


def plan_actions(
    settings: Settings, sweep: Sweep, specs: Sequence[JobSpec], *, rerun: bool = False, requeue: bool = False
) -> list[str]:
    """For a dry run: what a submission would do with each spec (`new`, `enqueue` or `keep:<state>`)."""
    arrays = {"sweep": sweep.name, **_spec_arrays(specs)}
    with connect(settings) as conn:
        rows = conn.execute(
            "SELECT j.model, j.exam, j.seed, j.params_hash, j.state, j.verdict,"
            " " + _run_condition(rerun, requeue) + " AS runs" + _SPEC_JOIN,
            arrays,
        ).fetchall()
        conn.rollback()
    known = {(r["model"], r["exam"], r["seed"], r["params_hash"]): r for r in rows}
    actions = []
    for spec in specs:
        row = known.get((spec.model, spec.exam, spec.seed, spec.params_hash))
        if row is None:
            actions.append("new")
        elif row["runs"]:
            actions.append("enqueue")
        else:
            actions.append(f"keep:{row['state']}" + (f":{row['verdict']}" if row["verdict"] else ""))
    return actions


def _states(conn: Any, arrays: Mapping[str, Any]) -> dict[str, int]:
    rows = conn.execute("SELECT j.state" + _SPEC_JOIN, arrays).fetchall()
    return dict(sorted(Counter(r["state"] for r in rows).items()))


def _upsert_models(conn: Any, models: Sequence[Model]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO models (id, label, family, quant, size_gb, options) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, family = EXCLUDED.family,"
            " quant = EXCLUDED.quant, size_gb = EXCLUDED.size_gb, options = EXCLUDED.options,"
            " updated_at = now()",
            [(m.id, m.label, m.family, m.quant, m.size_gb, Jsonb(dict(m.options))) for m in models],
        )


def _definition(sweep: Sweep) -> dict[str, Any]:
    return {
        "description": sweep.description,
        "models": list(sweep.models),
        "exams": list(sweep.exams),
        "seeds": list(sweep.seeds),
        "generation": {
            "temperature": sweep.generation.temperature,
            "context": sweep.generation.context,
            "max_tokens": sweep.generation.max_tokens,
            "timeout_s": sweep.generation.timeout_s,
        },
        **({"adaptive": sweep.adaptive.to_json()} if sweep.adaptive else {}),
    }


def _params_json(spec: JobSpec) -> str:
    return json.dumps(dict(spec.params), sort_keys=True)
