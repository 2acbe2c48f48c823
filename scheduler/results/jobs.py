"""A job before it is written to Postgres, its identity, and adding jobs to a sweep already recorded.

A job's identity is (sweep, model, exam, seed, params_hash). The hash covers everything that changes
what the model is asked or how it samples (temperature, context, max_tokens, the model's generation
options, the prompt style and the exam prompt's text), so changing any of them makes new jobs
instead of mixing results. A chat job's hash leaves the prompt style out, so it is the hash chat
jobs had before prompt styles existed. A one-turn job's params and hash leave `turns` and `feedback`
out, so it keeps the hash it had before turns existed. The timeout is kept in the params but left out of the hash:
it limits a run, it does not change what a run produces.

Submitting a sweep (`scheduler.sweeps.submit`) and the adaptive duty's next seeds
(`scheduler.fleet.adaptive`) both record and enqueue jobs here: one rule for which jobs are sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exams.types import PromptStyle
from scheduler.core.messages import publish_generate, publish_grade
from scheduler.core.settings import Settings
from scheduler.db import connect
from scheduler.db.sweeps import (
    JobKeys,
    enqueue_jobs,
    insert_jobs,
    job_states,
    regrade_jobs,
    unheld_jobs_among,
)
from scheduler.db.vocabulary import JobState

HASHED_PARAMS = (
    "temperature",
    "context",
    "max_tokens",
    "options",
    "prompt_sha256",
    "prompt_style",
    "turns",
    "feedback",
)
# Hashed only when present: a job without them keeps the hash it had before they existed.
OPTIONAL_PARAMS = ("turns", "feedback")


@dataclass(frozen=True)
class JobSpec:
    """One job of a sweep before it is written to Postgres."""

    sweep: str
    model: str
    exam: str
    seed: int
    params: Mapping[str, Any]
    params_hash: str

    def to_json(self) -> dict[str, Any]:
        """The `submit --dry-run --json` form of the job."""
        return {
            "sweep": self.sweep,
            "model": self.model,
            "exam": self.exam,
            "seed": self.seed,
            "params_hash": self.params_hash,
            "params": dict(self.params),
        }


def params_hash(params: Mapping[str, Any]) -> str:
    """A short stable hash of the identity-bearing generation params."""
    identity = {key: params.get(key) for key in HASHED_PARAMS}
    if identity["prompt_style"] in (None, PromptStyle.CHAT):
        del identity["prompt_style"]
    for key in OPTIONAL_PARAMS:
        if identity[key] is None:
            del identity[key]
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


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


def job_keys(sweep: str, specs: Sequence[JobSpec]) -> JobKeys:
    """The natural keys of `specs` as the jobs SQL takes them (column lists)."""
    return {
        "sweep": sweep,
        "models": [s.model for s in specs],
        "exams": [s.exam for s in specs],
        "seeds": [s.seed for s in specs],
        "hashes": [s.params_hash for s in specs],
    }


def add_jobs(settings: Settings, sweep: str, specs: Sequence[JobSpec]) -> SubmitResult:
    """Record and enqueue more jobs of a sweep already submitted (an adaptive sweep's next seeds),
    in one transaction, leaving its stored definition and models as they are; a grader_error job
    among them is graded again, as by `submit`."""
    with connect(settings) as conn, conn.transaction():
        return record_and_enqueue(
            settings,
            conn,
            sweep,
            specs,
            lambda r: (r["model"], r["exam"], r["seed"]),
            rerun=False,
            requeue=False,
        )


def record_and_enqueue(
    settings: Settings,
    conn: Any,
    sweep: str,
    specs: Sequence[JobSpec],
    order: Callable[[dict[str, Any]], tuple[Any, ...]],
    *,
    rerun: bool,
    requeue: bool,
) -> SubmitResult:
    """Insert `specs` as jobs of `sweep` (known ones are kept), mark the ones to run `queued` and send
    their messages in `order`, inside the caller's transaction `conn` (see `scheduler.sweeps.submit`
    for which jobs are enqueued, with `rerun` and `requeue`)."""
    keys = job_keys(sweep, specs)
    inserted = insert_jobs(conn, keys, [params_json(s) for s in specs])
    rows = enqueue_jobs(conn, keys, rerun=rerun, requeue=requeue)
    rows.sort(key=order)
    publish_generate(settings, [(r["id"], r["model"]) for r in rows])
    regraded = [] if rerun else regrade_jobs(conn, keys)
    if regraded:
        publish_grade(settings, regraded)
    resent = resend_unheld(settings, conn, keys) if requeue else []
    return SubmitResult(
        sweep=sweep,
        jobs=len(specs),
        new=inserted,
        enqueued=len(rows) + len(regraded) + len(resent),
        states=job_states(conn, keys),
        enqueued_job_ids=[r["id"] for r in rows] + regraded + resent,
    )


def resend_unheld(settings: Settings, conn: Any, keys: JobKeys) -> list[int]:
    """`--requeue` past `queued`: grade messages for generated jobs, takeover messages for expired claims."""
    rows = unheld_jobs_among(conn, keys)
    publish_generate(settings, [(r["id"], r["model"]) for r in rows if r["state"] == JobState.GENERATING])
    publish_grade(settings, [r["id"] for r in rows if r["state"] != JobState.GENERATING])
    return [r["id"] for r in rows]


def params_json(spec: JobSpec) -> str:
    """The job's params as stored in `jobs.params` (keys sorted)."""
    return json.dumps(dict(spec.params), sort_keys=True)
