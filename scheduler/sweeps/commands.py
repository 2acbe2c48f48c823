"""The sweep commands' logic: list sweep files, dry-run and submit a sweep."""

from __future__ import annotations

from typing import Any

from scheduler.core.errors import SweepFileError
from scheduler.core.settings import Settings
from scheduler.results.jobs import JobSpec, SubmitResult
from scheduler.sweeps.catalog import Model, Sweep, load_catalog, load_sweep, sweep_names
from scheduler.sweeps.exam_index import expand_exams, known_exams, prompt_text
from scheduler.sweeps.expansion import expand
from scheduler.sweeps.submit import plan_actions, submit


def load(settings: Settings, name: str) -> tuple[Sweep, dict[str, Model], list[JobSpec]]:
    """Load and validate the sweep `name` and expand it to jobs."""
    catalog = load_catalog(settings.sweeps_dir)
    sweep = load_sweep(settings.sweeps_dir, name, catalog, known_exams())
    return sweep, catalog, expand(sweep, catalog, prompt_text, expand_exams(sweep.exams))


def list_sweeps(settings: Settings) -> list[dict[str, Any]]:
    """Every sweep file with its job count; a malformed file is listed with its error (the others still are)."""
    catalog = load_catalog(settings.sweeps_dir)
    rows: list[dict[str, Any]] = []
    for name in sweep_names(settings.sweeps_dir):
        try:
            sweep = load_sweep(settings.sweeps_dir, name, catalog, known_exams())
        except SweepFileError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        rows.append(
            {
                "name": name,
                "description": sweep.description,
                "models": list(sweep.models),
                "exams": list(sweep.exams),
                "seeds": list(sweep.seeds),
                "jobs": len(sweep.models) * len(expand_exams(sweep.exams)) * len(sweep.seeds),
            }
        )
    return rows


def dry_run_jobs(settings: Settings, name: str, *, rerun: bool, requeue: bool) -> list[dict[str, Any]]:
    """The jobs of a sweep with what a submission would do to each; writes nothing.

    When Postgres cannot be reached every job is reported as `new` (nothing is known of it).
    """
    from scheduler.core.errors import ServiceUnavailable

    sweep, _, specs = load(settings, name)
    try:
        actions = plan_actions(settings, sweep, specs, rerun=rerun, requeue=requeue)
    except ServiceUnavailable as exc:
        # The sweep file is still checked and expanded; which jobs exist is not known.
        return [{**spec.to_json(), "action": "unchecked", "why": str(exc)} for spec in specs]
    return [{**spec.to_json(), "action": action} for spec, action in zip(specs, actions, strict=True)]


def submit_sweep(settings: Settings, name: str, *, rerun: bool, requeue: bool) -> SubmitResult:
    """Validate, expand and submit the sweep `name`."""
    sweep, catalog, specs = load(settings, name)
    # An answer that rewrites a given program (v2) is longer than one written from a short prompt
    # (v1): the prompt's length orders exams by expected generation time, longest first.
    longest_first = sorted(expand_exams(sweep.exams), key=lambda exam: -len(prompt_text(exam).text))
    return submit(settings, sweep, catalog, specs, rerun=rerun, requeue=requeue, exam_order=longest_first)
