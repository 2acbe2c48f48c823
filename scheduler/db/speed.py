"""Speed figures: the concurrency each generation ran under, the single-stream speed probes, and
what the report's speed tables read (migration 009).

A generation's `concurrency` is the most attempts of the same GPU worker (Celery node) that ran at
one moment while its attempt ran, itself included (`ConcurrencySource.ATTEMPTS`): an attempt
spans its claim to its stored result, so the figure can count a neighbour that was still in its
prompt, never miss one that decoded beside it. An attempt left `running` by a killed process
counts until it is closed; such generations are rare and show as a higher concurrency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg.types.json import Jsonb

from scheduler.db import get_pool
from scheduler.db.vocabulary import ConcurrencySource, ProbeReason

# What two speed figures of one model must share to be compared: keys of a provenance
# (worker/provenance.py writes them, scheduler/reports/speed.py compares them).
CONDITION_KEYS = ("build_info", "total_slots", "n_ctx", "settings", "model_sha256", "cpu", "gpu",
                  "cpu_governor", "platform_profile")  # fmt: skip

# The peak of overlapping intervals inside one attempt's interval is reached at the start of one
# of them (its own, or a later neighbour's), so counting at each start is enough.
_CONCURRENCY_SQL = """
WITH me AS (
    SELECT worker_name, started_at, coalesce(finished_at, now()) AS ended_at FROM attempts WHERE id = %(attempt)s
), near AS (
    SELECT greatest(a.started_at, me.started_at) AS at, a.started_at, coalesce(a.finished_at, now()) AS ended_at
    FROM attempts a, me
    WHERE a.worker_name = me.worker_name AND a.started_at <= me.ended_at
      AND coalesce(a.finished_at, now()) >= me.started_at
)
UPDATE generations SET concurrency = greatest(1, (
        SELECT max((SELECT count(*) FROM near n WHERE n.started_at <= p.at AND n.ended_at >= p.at)) FROM near p
    )), concurrency_source = %(source)s
WHERE attempt_id = %(attempt)s
RETURNING concurrency
"""


def record_concurrency(attempt_id: int) -> int | None:
    """Store the concurrency of the generation of `attempt_id` (see the module docstring); its value,
    None when the attempt stored no generation."""
    with get_pool().connection() as conn:
        row = conn.execute(
            _CONCURRENCY_SQL, {"attempt": attempt_id, "source": ConcurrencySource.ATTEMPTS}
        ).fetchone()
    return None if row is None else int(row["concurrency"])


def store_probe(
    *,
    model: str,
    worker_name: str,
    host: str,
    decode_runs: Sequence[float],
    prompt_tps: float | None,
    tokens: int,
    provenance: Mapping[str, Any],
    reason: ProbeReason,
) -> int:
    """Store one speed probe (its figure: the median of `decode_runs`, tok/s); returns its id."""
    ordered = sorted(decode_runs)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    with get_pool().connection() as conn:
        row = conn.execute(
            "INSERT INTO speed_probes (model, worker_name, host, decode_tps, prompt_tps, decode_runs, tokens,"
            "  provenance, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (model, worker_name, host, median, prompt_tps, list(decode_runs), tokens, Jsonb(dict(provenance)),
             reason),
        ).fetchone()  # fmt: skip
    assert row is not None
    return int(row["id"])


def probes_of(conn: Any, models: Sequence[str]) -> list[dict[str, Any]]:
    """Every speed probe of these models, oldest first: model, host, decode_tps, decode_runs,
    prompt_tps, tokens, provenance, reason, measured_at."""
    return list(
        conn.execute(
            "SELECT model, host, worker_name, decode_tps, decode_runs, prompt_tps, tokens, provenance, reason,"
            "  measured_at FROM speed_probes WHERE model = ANY(%s) ORDER BY measured_at, id",
            (list(models),),
        ).fetchall()
    )


def sweep_generations(conn: Any, sweep: str) -> list[dict[str, Any]]:
    """Every stored generation of `sweep` with its attempt's span: model, worker_name, concurrency,
    concurrency_source, decode_tps, completion_tokens, outcome, server_info, started_at, finished_at
    (the attempt's columns None for an imported generation, which has no attempt)."""
    return list(
        conn.execute(
            "SELECT j.model, a.worker_name, g.concurrency, g.concurrency_source, g.decode_tps,"
            "  g.completion_tokens, g.outcome, g.server_info, a.started_at, a.finished_at"
            " FROM generations g JOIN jobs j ON j.id = g.job_id LEFT JOIN attempts a ON a.id = g.attempt_id"
            " WHERE j.sweep = %s ORDER BY a.started_at NULLS FIRST, g.id",
            (sweep,),
        ).fetchall()
    )
