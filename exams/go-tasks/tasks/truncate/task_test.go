package truncate_test

import (
	"testing"

	"gotasks/truncate"
)

type tc struct {
	s    string
	n    int
	want string
}

func run(t *testing.T, cases []tc) {
	t.Helper()
	for _, c := range cases {
		if got := truncate.Truncate(c.s, c.n); got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

func TestUnchanged(t *testing.T) {
	run(t, []tc{{"", 3, ""}, {"abc", 3, "abc"}, {"abc", 10, "abc"}, {"a", 1, "a"}})
}

func TestTruncated(t *testing.T) {
	run(t, []tc{{"abcdef", 4, "abc…"}, {"hello world", 5, "hell…"}, {"abcd", 3, "ab…"}})
}

func TestTiny(t *testing.T) {
	run(t, []tc{{"abc", 1, "…"}, {"abc", 0, ""}, {"abc", -2, ""}, {"", 0, ""}})
}

func TestMultibyte(t *testing.T) {
	run(t, []tc{{"héllo wörld", 5, "héll…"}, {"日本語のテキスト", 3, "日本…"}, {"日本語", 3, "日本語"}, {"🙂🙂🙂🙂", 2, "🙂…"}})
}
