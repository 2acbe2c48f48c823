"""Raw Harmony (gpt-oss) text: only the `final` channel is graded, every way a channel ends."""

from __future__ import annotations

import pytest

import exams
from exams.extract import extract_files
from exams.harmony import MARKERS, answer_text, parse_messages
from exams.types import Verdict
from tests.support.paths import STREAMS_DIR as STREAMS

ANALYSIS_ONLY = (STREAMS / "harmony-analysis-only-v1.txt").read_text()
V1_FILES = ["factorial.go", "wordfreq.go", "filetreewalk.go"]
FACTORIAL = '#START factorial.go#\npackage main\n\nimport "fmt"\n\nfunc main() { fmt.Println(%s) }\n#END factorial.go#\n'
DRAFT, ANSWER = FACTORIAL % "1", FACTORIAL % "3628800"
ANALYSIS = f"<|channel|>analysis<|message|>Draft first:\n{DRAFT}<|end|>"


@pytest.mark.parametrize(
    ("finish_reason", "verdict"), [("length", Verdict.TRUNCATED), ("stop", Verdict.EXTRACT_FAIL)]
)
def test_analysis_without_a_final_channel_is_no_answer(finish_reason: str, verdict: Verdict) -> None:
    grade = exams.grade("v1", ANALYSIS_ONLY, finish_reason=finish_reason)
    assert grade.verdict == verdict
    assert grade.score == 0


@pytest.mark.parametrize(
    "end",
    ["<|end|>", "<|return|>", "<|call|>", "<|start|>assistant<|channel|>analysis<|message|>more drafts", ""],
)
def test_the_final_channel_is_the_answer_however_it_ends(end: str) -> None:
    text = f"{ANALYSIS}<|start|>assistant<|channel|>final<|message|>{ANSWER}{end}"
    answer = answer_text(text)
    assert "3628800" in answer and "Println(1)" not in answer
    assert not any(marker in answer for marker in MARKERS)
    assert extract_files(text, ["factorial.go"]).files["factorial.go"].count("3628800") == 1


def test_commentary_and_unknown_channels_are_reasoning_not_the_answer() -> None:
    text = (
        f"<|channel|>commentary to=functions.run <|constrain|>json<|message|>{DRAFT}<|call|>"
        f"<|start|>assistant<|channel|>scratch<|message|>{DRAFT}<|end|>"
    )
    assert [m.channel for m in parse_messages(text)] == ["commentary", "scratch"]
    assert answer_text(text) == ""
    assert extract_files(text, ["factorial.go"], finish_reason="stop").problems


def test_a_final_channel_cut_off_by_max_tokens_is_truncated() -> None:
    text = f"{ANALYSIS}<|start|>assistant<|channel|>final<|message|>#START factorial.go#\npackage main\n\nfunc main() {{\n"
    grade = exams.grade("v1", text, finish_reason="length")
    assert grade.verdict == Verdict.TRUNCATED


def test_drafts_in_analysis_never_stand_in_for_a_missing_final_program() -> None:
    # The final channel gives only factorial; the other two programs exist only as drafts.
    text = ANALYSIS_ONLY + "<|end|><|start|>assistant<|channel|>final<|message|>" + ANSWER + "<|return|>"
    extraction = extract_files(text, V1_FILES, finish_reason="stop")
    assert set(extraction.files) == {"factorial.go"}
    assert set(extraction.problems) == {"wordfreq.go", "filetreewalk.go"}


def test_several_final_messages_are_joined_in_order() -> None:
    second = FACTORIAL.replace("factorial", "wordfreq") % "2"
    text = f"<|channel|>final<|message|>{ANSWER}<|end|><|start|>assistant<|channel|>final<|message|>{second}<|return|>"
    assert set(extract_files(text, ["factorial.go", "wordfreq.go"]).files) == {"factorial.go", "wordfreq.go"}
