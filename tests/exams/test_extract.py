"""Extraction of Go files from messy responses: synthetic cases and every real published response."""

from __future__ import annotations

from pathlib import Path

import pytest

from exams.extract import extract_files, is_balanced

V1_FILES = ["factorial.go", "wordfreq.go", "filetreewalk.go"]
PROGRAM = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("{name}")\n}\n'


def program(name: str) -> str:
    return PROGRAM.replace("{name}", name)


def marked(name: str, body: str | None = None) -> str:
    return f"#START {name}#\n{body or program(name)}#END {name}#\n"


def test_plain_markers_yield_every_file() -> None:
    text = "".join(marked(n) for n in V1_FILES)
    result = extract_files(text, V1_FILES)
    assert result.files == {n: program(n) for n in V1_FILES}
    assert not result.problems and not result.truncated


def test_markers_inside_go_fences_are_stripped_of_fence_lines() -> None:
    text = "Here you go:\n\n" + "".join(f"```go\n{marked(n)}```\n\n" for n in V1_FILES)
    assert extract_files(text, V1_FILES).files == {n: program(n) for n in V1_FILES}


def test_fences_inside_markers_are_stripped() -> None:
    text = "".join(f"#START {n}#\n```go\n{program(n)}```\n#END {n}#\n" for n in V1_FILES)
    assert extract_files(text, V1_FILES).files == {n: program(n) for n in V1_FILES}


def test_marker_variants_without_closing_hash_or_with_spaces_are_accepted() -> None:
    text = f"# START factorial.go\n{program('f')}# END factorial.go\n**#START wordfreq.go#**\n{program('w')}#end wordfreq.go#\n"
    result = extract_files(text, ["factorial.go", "wordfreq.go"])
    assert result.files == {"factorial.go": program("f"), "wordfreq.go": program("w")}


def test_crlf_line_endings_are_normalised() -> None:
    text = "".join(marked(n) for n in V1_FILES).replace("\n", "\r\n")
    result = extract_files(text, V1_FILES)
    assert result.files["wordfreq.go"] == program("wordfreq.go")
    assert "\r" not in "".join(result.files.values())


def test_reasoning_before_the_answer_is_ignored_even_when_it_holds_markers() -> None:
    draft = marked("factorial.go", "package main\nfunc main() { draft }\n")
    text = f"<think>Let me plan.\n{draft}</think>\n" + "".join(marked(n) for n in V1_FILES)
    assert extract_files(text, V1_FILES).files["factorial.go"] == program("factorial.go")


def test_a_lone_closing_think_tag_drops_everything_before_it() -> None:
    text = (
        "reasoning "
        + marked("factorial.go", "package main\nbroken\n")
        + "</think>\n"
        + marked("factorial.go")
    )
    assert extract_files(text, ["factorial.go"]).files["factorial.go"] == program("factorial.go")


def test_a_file_given_twice_takes_the_last_complete_copy() -> None:
    first = marked("factorial.go", program("first"))
    second = marked("factorial.go", program("second"))
    cut = "#START factorial.go#\npackage main\nfunc main() {\n"
    result = extract_files(first + second + cut, ["factorial.go"], finish_reason="length")
    assert result.files["factorial.go"] == program("second")


def test_missing_end_at_the_end_of_a_length_cut_response_is_a_truncated_problem() -> None:
    text = (
        marked("factorial.go")
        + marked("wordfreq.go")
        + "#START filetreewalk.go#\npackage main\n\nfunc main() {\n\tx := 1\n"
    )
    result = extract_files(text, V1_FILES, finish_reason="length")
    assert set(result.files) == {"factorial.go", "wordfreq.go"}
    assert "filetreewalk.go" in result.problems and result.truncated


def test_missing_end_is_forgiven_when_the_code_is_complete_and_generation_stopped() -> None:
    text = marked("factorial.go") + f"#START wordfreq.go#\n{program('w')}"
    result = extract_files(text, ["factorial.go", "wordfreq.go"], finish_reason="stop")
    assert result.files["wordfreq.go"] == program("w") and not result.truncated


def test_missing_end_before_the_next_start_takes_the_code_up_to_it() -> None:
    text = f"#START factorial.go#\n{program('f')}\n" + marked("wordfreq.go")
    result = extract_files(text, ["factorial.go", "wordfreq.go"])
    assert result.files["factorial.go"].strip() == program("f").strip()


def test_fences_without_markers_are_matched_by_the_name_before_them() -> None:
    text = "".join(f"### {n}\n\n```go\n{program(n)}```\n\n" for n in reversed(V1_FILES))
    assert extract_files(text, V1_FILES).files == {n: program(n) for n in V1_FILES}


def test_fences_without_markers_or_names_are_matched_by_content_hints() -> None:
    sources = {
        "wordfreq.go": 'package main\nimport ("bufio"; "os")\nfunc main() { bufio.NewScanner(os.Stdin) }\n',
        "factorial.go": "package main\nfunc main() { println(3628800) }\n",
    }
    text = "".join(f"```go\n{s}```\n" for s in sources.values())
    hints = {"factorial.go": ["3628800"], "wordfreq.go": ["os.Stdin"]}
    assert extract_files(text, ["factorial.go", "wordfreq.go"], content_hints=hints).files == sources


def test_one_expected_file_takes_the_last_complete_package_main_block() -> None:
    text = f"Draft:\n```go\n{program('old')}```\nFixed:\n```go\n{program('new')}```\nThen:\n```go\npackage main\nfunc main() {{\n"
    result = extract_files(text, ["scraper.go"], finish_reason="stop")
    assert result.files["scraper.go"] == program("new")


def test_one_expected_file_with_bare_code_and_no_fences_is_extracted() -> None:
    result = extract_files("Sure.\n" + program("bare"), ["scraper.go"])
    assert result.files["scraper.go"] == program("bare")


def test_an_unclosed_fence_in_a_length_cut_response_is_truncated() -> None:
    result = extract_files("```go\npackage main\nfunc main() {\n", ["scraper.go"], finish_reason="length")
    assert not result.files and result.truncated


def test_no_code_at_all_gives_a_reason_per_file() -> None:
    result = extract_files("I am sorry, I cannot do that.", V1_FILES)
    assert not result.files and set(result.problems) == set(V1_FILES)
    assert all("no #START" in reason for reason in result.problems.values())


@pytest.mark.parametrize(
    ("code", "balanced"),
    [
        ("func main() { s := \"}\"; r := '{'; _ = `}` }", True),
        ("func main() { // }\n}", True),
        ("func main() { /* { */ }", True),
        ("func main() {\n\tx := []int{1, 2\n", False),
    ],
)
def test_balance_ignores_brackets_in_strings_and_comments(code: str, balanced: bool) -> None:
    assert is_balanced(code) is balanced


def _responses(article_results: Path, exam: str) -> list[Path]:
    return sorted((article_results / exam).rglob("response.txt"))


def test_every_published_v1_response_yields_its_three_files_or_a_reason(article_results: Path) -> None:
    responses = _responses(article_results, "exam_v1")
    assert len(responses) >= 30
    for path in responses:
        result = extract_files(path.read_text(), V1_FILES)
        assert set(result.files) | set(result.problems) == set(V1_FILES), path
        for name, source in result.files.items():
            assert source.lstrip().startswith("package main"), (path, name)
            assert "#END" not in source and "```" not in source, (path, name)
        # Every published v1 response is complete: all three files come out.
        assert not result.problems, (path, result.problems)


def test_every_published_v2_response_yields_scraper_go(article_results: Path) -> None:
    responses = _responses(article_results, "exam_v2")
    assert len(responses) >= 30
    for path in responses:
        result = extract_files(path.read_text(), ["scraper.go"])
        assert not result.problems, (path, result.problems)
        source = result.files["scraper.go"]
        assert "package main" in source and "func main()" in source, path
        assert "#START" not in source and "```" not in source and is_balanced(source), path


def test_an_abandoned_program_rewritten_inside_the_same_markers_keeps_the_rewrite() -> None:
    abandoned = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(1)\n\t// let me restructure\n'
    rewrite = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(2)\n}\n'
    response = f"#START scraper.go#\n{abandoned}\n// Re-implementing the file\n{rewrite}#END scraper.go#\n"
    got = extract_files(response, ["scraper.go"])
    assert got.files["scraper.go"].strip() == rewrite.strip()


def test_a_second_package_main_that_is_itself_unfinished_keeps_the_block_whole() -> None:
    first = "package main\n\nfunc main() {\n}\n"
    response = f"#START scraper.go#\n{first}\npackage main\n\nfunc broken() {{\n#END scraper.go#\n"
    got = extract_files(response, ["scraper.go"])
    assert got.files["scraper.go"].startswith(first)


def _named_blocks(fence: str, info: str = "go") -> str:
    return "".join(f"{n}:\n{fence}{info}\n{program(n)}{fence}\n" for n in V1_FILES)


@pytest.mark.parametrize("outer", ["````markdown", "````", "~~~~md", "`````text"])
def test_an_outer_fence_around_go_blocks_yields_the_inner_blocks(outer: str) -> None:
    closing = outer.rstrip("markdowntex")
    text = f"Here is the answer:\n{outer}\n{_named_blocks('```')}{closing}\n"
    result = extract_files(text, V1_FILES)
    assert result.files == {n: program(n) for n in V1_FILES} and not result.problems


def test_tilde_fences_with_any_info_string_are_code_blocks() -> None:
    for info in ("go", "golang", "Go", ""):
        result = extract_files(_named_blocks("~~~", info), V1_FILES)
        assert result.files == {n: program(n) for n in V1_FILES}, info


def test_a_fence_closes_only_with_its_own_character_at_least_as_long() -> None:
    # A ``` line inside a ~~~ block, or a shorter fence inside a longer one, is content.
    inner = 'package main\n\nfunc main() {\n\ts := "x"\n```\n}\n'
    assert extract_files(f"~~~go\n{inner}~~~\n", ["scraper.go"]).files["scraper.go"] == inner
    assert extract_files(f"````go\n{inner}`````\n", ["scraper.go"]).files["scraper.go"] == inner


def test_an_outer_fence_around_marked_files_is_dropped_with_the_inner_fences() -> None:
    text = "````markdown\n" + "".join(f"```go\n{marked(n)}```\n" for n in V1_FILES) + "````\n"
    assert extract_files(text, V1_FILES).files == {n: program(n) for n in V1_FILES}


def test_an_outer_fence_cut_off_by_the_length_limit_keeps_the_inner_blocks_that_closed() -> None:
    text = "````markdown\n" + _named_blocks("```").split("filetreewalk.go:")[0]
    text += "filetreewalk.go:\n```go\npackage main\n\nfunc main() {\n"
    result = extract_files(text, V1_FILES, finish_reason="length")
    assert set(result.files) == {"factorial.go", "wordfreq.go"} and result.truncated
