package wraptext_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"gotasks/wraptext"
)

type tc struct {
	in    string
	width int
	want  string
}

func run(t *testing.T, cases []tc) {
	t.Helper()
	for _, c := range cases {
		if got := wraptext.Wrap(c.in, c.width); got != c.want {
			t.Errorf("Wrap(%q, %d) =\n%q\nwant\n%q", c.in, c.width, got, c.want)
		}
	}
}

func TestGreedy(t *testing.T) {
	run(t, []tc{
		{"the quick brown fox jumps over the lazy dog", 10, "the quick\nbrown fox\njumps over\nthe lazy\ndog"},
		{"the quick brown fox", 10, "the quick\nbrown fox"},
		{"a b c d e f", 3, "a b\nc d\ne f"},
		{"one", 80, "one"},
		{"aa bb cc", 80, "aa bb cc"},
	})
}

func TestExactFit(t *testing.T) {
	run(t, []tc{
		{"abcd efgh", 9, "abcd efgh"},
		{"abcd efgh", 8, "abcd\nefgh"},
		{"abc de fghi", 6, "abc de\nfghi"},
		{"a bc", 4, "a bc"},
		{"12345 12345 12345", 11, "12345 12345\n12345"},
	})
}

func TestWhitespace(t *testing.T) {
	run(t, []tc{
		{"  lots   of\tspace  ", 20, "lots of space"},
		{"one\ntwo\nthree", 20, "one two three"},
		{"one\r\ntwo\r\n", 20, "one two"},
		{"a\u00a0b\u2003c", 20, "a b c"},
	})
}

func TestParagraphs(t *testing.T) {
	run(t, []tc{
		{"first para\nstill first\n\nsecond", 40, "first para still first\n\nsecond"},
		{"a b c\n\n\n\nd e f", 3, "a b\nc\n\nd e\nf"},
		{"\n\n  \nx\n \t \ny\n\n", 10, "x\n\ny"},
		{"p1 word\n   \np2", 4, "p1\nword\n\np2"},
	})
}

func TestLongWords(t *testing.T) {
	run(t, []tc{
		{"abcdefghij", 4, "abcd\nefgh\nij"},
		{"hi abcdefghij xy", 4, "hi\nabcd\nefgh\nij\nxy"},
		{"abcdefghi x", 4, "abcd\nefgh\ni x"},
		{"abcdefgh x", 4, "abcd\nefgh\nx"},
		{"ab cdefgh", 4, "ab\ncdef\ngh"},
		{"x " + strings.Repeat("y", 12), 5, "x\nyyyyy\nyyyyy\nyy"},
	})
}

func TestRunes(t *testing.T) {
	run(t, []tc{
		{"héllo wörld ñ", 5, "héllo\nwörld\nñ"},
		{"ça été écrit", 7, "ça été\nécrit"},
		{"日本語の文章 です", 6, "日本語の文章\nです"},
		{"éééééää ü", 3, "ééé\nééä\nä ü"},
	})
}

func TestEmpty(t *testing.T) {
	run(t, []tc{{"", 10, ""}, {"   ", 10, ""}, {"\n\n\t\n", 10, ""}})
}

func TestWidthOne(t *testing.T) {
	run(t, []tc{{"ab c", 1, "a\nb\nc"}, {"a b", 1, "a\nb"}})
}

func TestInvariants(t *testing.T) {
	text := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ", 20)
	for width := 1; width <= 40; width++ {
		got := wraptext.Wrap(text, width)
		for _, line := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(line); n > width || n == 0 || strings.TrimSpace(line) != line {
				t.Fatalf("Wrap(_, %d) has the line %q", width, line)
			}
		}
		if strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(text), "") {
			t.Fatalf("Wrap(_, %d) lost or changed text", width)
		}
	}
}
