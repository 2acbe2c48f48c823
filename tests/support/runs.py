"""Finished runs written into a test's database through the DB layer (`scheduler/db/`): a sweep, its
models, and per (model, exam, seed) a done job with its generation and, if given, its grade, as
reports, tripwires and status read them. No worker runs: the rows are the test's fixture."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scheduler.db.catalog import upsert_models
from scheduler.db.results import insert_generation, insert_grade
from scheduler.db.sweeps import insert_finished_job, insert_sweep
from scheduler.db.vocabulary import JobState
from scheduler.sweeps.catalog import Model


def add_sweep(conn: Any, name: str, definition: Mapping[str, Any], models: list[Model]) -> None:
    """Record the sweep `name` with `definition`, and its catalog `models`."""
    insert_sweep(conn, name, definition)
    upsert_models(conn, models)


def add_run(
    conn: Any,
    sweep: str,
    model: str,
    exam: str,
    seed: int,
    generation: Mapping[str, Any],
    grade: Mapping[str, Any] | None = None,
) -> int:
    """A done job (no verdict of its own) with one generation of `generation`'s column values and, if
    `grade` is given, one grade of its column values (`checks` as a plain list); return the job id."""
    job = {"model": model, "exam": exam, "seed": seed, "params_hash": "h", "params": {}}
    job_id = insert_finished_job(conn, sweep, job, JobState.DONE, None)
    generation_id = insert_generation(conn, job_id, generation)
    if grade is not None:
        insert_grade(conn, generation_id, grade)
    return job_id
