"""Reading one row in a test: psycopg's `fetchone()` may return None, which a test should report
as the failure it is, not as a TypeError on indexing."""

from __future__ import annotations

from typing import TypeVar

import psycopg

Row = TypeVar("Row")


def one(cursor: psycopg.Cursor[Row]) -> Row:
    """The first row of `cursor`'s result; fails the test when there is none."""
    row = cursor.fetchone()
    assert row is not None, "the query returned no row"
    return row
