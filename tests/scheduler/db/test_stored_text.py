"""Any text a server sends is stored as it was sent (field case 26: a NUL in an answer), read back
the same by the grader, a regrade and an export, and diagnostics never stop a result being stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from exams.types import Check, Grade, Verdict
from scheduler.core.settings import Settings
from scheduler.db import connect, lifecycle
from scheduler.db.lifecycle import GenerationClaim, GenerationRecord
from scheduler.db.results import response_of
from scheduler.db.text import escape, refused, storable, unescape
from scheduler.db.vocabulary import Outcome
from scheduler.reports.exchange import import_lines, read_export, write_export
from testkit.workers import insert_jobs, query
from tests.support.field_cases import field_case

PARAMS = {"temperature": 1.0, "context": 1024, "max_tokens": 64, "timeout_s": 30, "options": {}}
# The code points PostgreSQL text refuses, the escape's own syntax, and neighbours that are fine.
AWKWARD = [
    "\x00",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\\",
    "\\u0000",
    "\\\\",
    "\\u00",
    "\ufeff",
    "\uffff",
]
AWKWARD += ["\U0010ffff", "\u200b", "\r\n", "\x01", "é", "\ud83d\ude00"]
texts = st.lists(st.one_of(st.text(), st.sampled_from(AWKWARD)), max_size=12).map("".join)
any_code_points = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None))


@given(texts)
def test_unescape_gives_back_exactly_what_escape_was_given(text: str) -> None:
    stored = escape(text)
    assert not refused(stored)
    assert unescape(stored) == text


@given(any_code_points)
def test_escape_is_lossless_over_every_code_point(text: str) -> None:
    assert unescape(escape(text)) == text
    assert not refused(escape(text)) and not refused(storable(text))


def test_diagnostics_keep_their_refused_characters_visible_and_numbers_json_can_hold() -> None:
    value = {"msg\x00": ["a\x00b", float("nan"), 1.5, {"x": "\ud800"}], "n": float("inf")}
    assert storable(value) == {"msg\\u0000": ["a\\u0000b", "nan", 1.5, {"x": "\\ud800"}], "n": "inf"}


def _claim(settings: Settings, seed: int) -> GenerationClaim:
    job_id = insert_jobs(settings.database_url, "m", ["go-tasks/reverse"], [seed], PARAMS)[0]
    claim = lifecycle.claim_generation(job_id, "gpu@a", "task", 30)
    assert isinstance(claim, GenerationClaim), claim
    return claim


@hypothesis_settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(response=texts, reasoning=texts)
def test_a_stored_answer_reads_back_exactly_as_it_was_sent(
    settings: Settings, response: str, reasoning: str
) -> None:
    with connect(settings) as conn:
        seed = int(conn.execute("SELECT count(*) AS n FROM jobs").fetchone()["n"])  # type: ignore[index]
    claim = _claim(settings, seed)
    record = GenerationRecord(outcome=Outcome.OK, response_text=response, reasoning_text=reasoning)
    generation_id = lifecycle.store_generation(claim, record)
    assert generation_id is not None
    stored = lifecycle.latest_generation(claim.job_id)
    assert stored is not None
    assert (stored.response_text, stored.reasoning_text) == (response, reasoning)
    with connect(settings) as conn:
        assert response_of(conn, generation_id) == {"response_text": response, "finish_reason": None}


def test_case_26_an_answer_with_a_nul_is_stored_graded_and_exported_exactly(
    settings: Settings, tmp_path: Path
) -> None:
    answer = field_case("26-nul-byte-in-answer.txt")
    assert "\x00" in answer
    claim = _claim(settings, 1)
    server_info = {"system_fingerprint": "b1\x00", "odd": float("nan")}
    record = GenerationRecord(
        outcome=Outcome.OK,
        response_text=answer,
        reasoning_text="thought \ud800 lone",
        finish_reason="stop\x00",
        server_info=server_info,
        timings={"predicted_per_second": float("inf")},
        error="a server's \x00 note",
    )
    generation_id = lifecycle.store_generation(claim, record)
    assert generation_id is not None
    raw = query(settings.database_url, "SELECT * FROM generations WHERE id = %s", (generation_id,))[0]
    assert raw["text_encoding"] == "escaped" and "\x00" not in raw["response_text"]
    assert raw["finish_reason"] == "stop\\u0000" and raw["server_info"]["odd"] == "nan"

    grading = lifecycle.claim_grading(claim.job_id, "cpu@a", 30)
    assert not isinstance(grading, lifecycle.Refused)
    assert grading.generation.answer_text == answer
    log = "the program printed \x00 and \udcff"
    grade = Grade(
        "go-tasks/reverse",
        1.0,
        1.0,
        True,
        Verdict.OK,
        [Check("TestX", True, 1, 1, "out \x00")],
        "g1",
        0.1,
        log,
    )
    lifecycle.store_grade(claim.job_id, generation_id, grade, lease_owner=grading.lease_owner)
    row = query(
        settings.database_url,
        "SELECT verdict, log, checks FROM grades WHERE generation_id = %s",
        (generation_id,),
    )[0]
    assert (row["verdict"], row["log"]) == ("ok", "the program printed \\u0000 and \\udcff")

    out = tmp_path / "export.jsonl"
    with connect(settings) as conn, out.open("w", encoding="utf-8") as handle:
        assert write_export(conn, "test", handle) == 1
    line = read_export(out)[0]
    assert line["generation"]["response_text"] == answer
    assert line["generation"]["reasoning_text"] == "thought \ud800 lone"
    with connect(settings) as conn:
        import_lines(conn, [line], sweep="copy")
        conn.commit()
        copied = conn.execute(
            "SELECT g.job_id FROM generations g JOIN jobs j ON j.id = g.job_id WHERE j.sweep = 'copy'"
        ).fetchone()
    assert copied is not None
    back = lifecycle.latest_generation(copied["job_id"])
    assert back is not None and (back.response_text, back.reasoning_text) == (answer, "thought \ud800 lone")


def test_an_export_line_holding_a_lone_surrogate_is_json_that_reads_back_the_same(tmp_path: Path) -> None:
    from scheduler.reports.exchange import json_line

    obj = {"text": "a\ud800b\x00c é"}
    text = json_line(obj)
    text.encode("utf-8")  # a UTF-8 file can hold it
    assert json.loads(text) == obj
    assert "é" in json_line({"text": "é"})  # plain text stays readable


@pytest.mark.parametrize("tokens", [2**31, -(2**40)])
def test_a_figure_the_database_refuses_is_stored_without_figures_and_the_answer_kept(
    settings: Settings, tokens: int
) -> None:
    import psycopg

    claim = _claim(settings, 2 if tokens > 0 else 3)
    record = GenerationRecord(outcome=Outcome.OK, response_text="answer\x00", completion_tokens=tokens)
    with pytest.raises(psycopg.DataError):
        lifecycle.store_generation(claim, record)
    assert lifecycle.store_generation(claim, record.bare("refused")) is not None
    stored = lifecycle.latest_generation(claim.job_id)
    assert stored is not None and (stored.response_text, stored.error) == ("answer\x00", "refused")
