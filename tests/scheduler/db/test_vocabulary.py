"""The schema's CHECK lists and the enums of scheduler/db/vocabulary.py name the same values."""

from __future__ import annotations

import re
from enum import StrEnum

import psycopg
import pytest

from scheduler.db.vocabulary import (
    AnswerSource,
    AttemptState,
    GenerationSource,
    JobState,
    Outcome,
    TextEncoding,
    Verdict,
    WorkerRole,
    sql_list,
)

# Every text column the schema constrains to a list of words, and the enum that defines them.
ENUM_OF_COLUMN: dict[tuple[str, str], type[StrEnum]] = {
    ("jobs", "state"): JobState,
    ("jobs", "verdict"): Verdict,
    ("attempts", "state"): AttemptState,
    ("attempts", "outcome"): Outcome,
    ("generations", "source"): GenerationSource,
    ("generations", "outcome"): Outcome,
    ("generations", "answer_source"): AnswerSource,
    ("generations", "text_encoding"): TextEncoding,
    ("grades", "verdict"): Verdict,
    ("workers", "role"): WorkerRole,
}

# A CHECK over one column with a list of literals, as PostgreSQL prints it back:
# CHECK ((state = ANY (ARRAY['pending'::text, 'queued'::text, ...])))
_LIST_CHECK = re.compile(r"^CHECK \(\((?P<column>\w+) = ANY \(ARRAY\[(?P<values>[^\]]*)\]\)\)\)$")


def word_lists(database_url: str) -> dict[tuple[str, str], set[str]]:
    """Every single-column CHECK list of the live schema, by (table, column)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'c' AND n.nspname = 'public'"
        ).fetchall()
    lists: dict[tuple[str, str], set[str]] = {}
    for table, definition in rows:
        match = _LIST_CHECK.match(definition)
        if match is not None:
            values = set(re.findall(r"'([^']*)'::text", match["values"]))
            lists[(table, match["column"])] = values
    return lists


def test_every_check_list_of_the_schema_holds_exactly_its_enums_values(database_url: str) -> None:
    lists = word_lists(database_url)
    assert lists, "no CHECK (column IN (...)) found: has the schema or PostgreSQL's output changed?"
    unmapped = sorted(set(lists) - set(ENUM_OF_COLUMN))
    assert not unmapped, f"CHECK lists without an enum in scheduler/db/vocabulary.py: {unmapped}"
    for column, enum in ENUM_OF_COLUMN.items():
        assert column in lists, f"{column} has no CHECK list naming {enum.__name__}'s values"
        assert lists[column] == {m.value for m in enum}, f"{column} and {enum.__name__} disagree"


def test_every_column_default_is_a_word_of_its_enum(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, column_default FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_default LIKE '''%%''::text'"
        ).fetchall()
    defaults = {(t, c): d.split("'")[1] for t, c, d in rows if (t, c) in ENUM_OF_COLUMN}
    assert defaults, "no text default found on an enum's column"
    for column, value in defaults.items():
        assert value in {m.value for m in ENUM_OF_COLUMN[column]}, (column, value)


def test_the_check_rejects_a_word_outside_its_enum(database_url: str) -> None:
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO workers (name, host, role) VALUES ('w', 'h', %s)", ("gpu-and-cpu",))


def test_sql_list_quotes_each_member_as_a_literal() -> None:
    assert sql_list(JobState.PENDING, JobState.QUEUED) == "'pending', 'queued'"
    assert JobState.DONE in {"done"} and f"{Outcome.GEN_TIMEOUT}" == "gen_timeout"
