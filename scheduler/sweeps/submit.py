"""Submitting a sweep: record its jobs in Postgres and enqueue the ones that need a run.

One submission is one Postgres transaction: jobs are inserted (ON CONFLICT DO NOTHING, so a job
already known keeps its results), the jobs to run are marked `queued`, their messages are sent, and
only then is the transaction committed. If sending fails, nothing is committed; a message sent for
a job whose transaction then failed names a job id that never existed and is dropped by the worker.

Which jobs are enqueued:
- new jobs, and jobs whose last run ended in a retryable infra outcome: server_error and
  gen_timeout are generated again; grader_error (our side failed) is graded again from the
  stored generation (the job back to `generated`, a grade message sent). `truncated` is a result
  of the sweep's own max_tokens and is not retried.
- with `rerun`, also every finished job (a new attempt; earlier attempts are kept).
- with `requeue`, a message for every job that needs one to move on, whatever its state: `queued`
  jobs get their generate message again, `generated` jobs their grade message, and claims whose
  lease expired (their worker is gone) the message of their stage, which takes them over
  (re-sends what a Redis restart lost; the duplicates this may make are harmless). The
  reconciler (scheduler/fleet/reconcile.py) does the same on its own; this is the manual lever.
Jobs being generated or graded right now (a live lease) are never enqueued again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.catalog import upsert_models
from scheduler.db.sweeps import (
    known_jobs,
    upsert_sweep,
)
from scheduler.results.jobs import JobSpec, SubmitResult, job_keys, record_and_enqueue
from scheduler.sweeps.catalog import Model, Sweep


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
    with connect(settings) as conn, conn.transaction():
        upsert_models(conn, [catalog[m] for m in sweep.models])
        upsert_sweep(conn, sweep.name, _definition(sweep))
        return record_and_enqueue(
            settings,
            conn,
            sweep.name,
            specs,
            lambda r: (sweep.models.index(r["model"]), exam_rank[r["exam"]], r["seed"]),
            rerun=rerun,
            requeue=requeue,
        )


def plan_actions(
    settings: Settings, sweep: Sweep, specs: Sequence[JobSpec], *, rerun: bool = False, requeue: bool = False
) -> list[str]:
    """For a dry run: what a submission would do with each spec (`new`, `enqueue`, `regrade` or
    `keep:<state>`)."""
    with connect(settings) as conn:
        rows = known_jobs(conn, job_keys(sweep.name, specs), rerun=rerun, requeue=requeue)
        conn.rollback()
    known = {(r["model"], r["exam"], r["seed"], r["params_hash"]): r for r in rows}
    actions = []
    for spec in specs:
        row = known.get((spec.model, spec.exam, spec.seed, spec.params_hash))
        if row is None:
            actions.append("new")
        elif row["runs"]:
            actions.append("enqueue")
        elif row["regrades"]:
            actions.append("regrade")
        else:
            actions.append(f"keep:{row['state']}" + (f":{row['verdict']}" if row["verdict"] else ""))
    return actions


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
        **({"tripwires": dict(sweep.tripwires)} if sweep.tripwires else {}),
    }
