"""The `models` table: the catalog entries sweeps use, written by one upsert with one rule.

Whoever stores a model (a submission, an import of an export, the article's results) refreshes its
row: the newest label, family, quant, size and options win, so a report never shows a stale label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from psycopg.types.json import Jsonb


class ModelRow(Protocol):
    """What a `models` row holds (`scheduler.sweeps.catalog.Model` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def quant(self) -> str | None: ...
    @property
    def size_gb(self) -> float | None: ...
    @property
    def options(self) -> Mapping[str, Any]: ...


def upsert_models(conn: Any, models: Iterable[ModelRow]) -> None:
    """Insert each model, or refresh its row, in the caller's transaction."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO models (id, label, family, quant, size_gb, options) VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET label = EXCLUDED.label, family = EXCLUDED.family,"
            " quant = EXCLUDED.quant, size_gb = EXCLUDED.size_gb, options = EXCLUDED.options,"
            " updated_at = now()",
            [(m.id, m.label, m.family, m.quant, m.size_gb, Jsonb(dict(m.options))) for m in models],
        )
