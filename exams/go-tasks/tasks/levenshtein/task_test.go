package levenshtein_test

import (
	"testing"

	"gotasks/levenshtein"
)

type pair struct {
	a, b string
	want int
}

func checkPairs(t *testing.T, cases []pair) {
	t.Helper()
	for _, c := range cases {
		if got := levenshtein.Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	checkPairs(t, []pair{
		{"", "", 0},
		{"", "abc", 3},
		{"abcd", "", 4},
		{"same", "same", 0},
	})
}

func TestClassic(t *testing.T) {
	checkPairs(t, []pair{
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"gumbo", "gambol", 2},
		{"book", "back", 2},
		{"abc", "xyz", 3},
	})
}

func TestSubstitution(t *testing.T) {
	checkPairs(t, []pair{
		{"a", "b", 1},
		{"cat", "cut", 1},
		{"abcdef", "abXdeY", 2},
	})
}

func TestSymmetric(t *testing.T) {
	for _, c := range []pair{{"sunday", "saturday", 3}, {"intention", "execution", 5}, {"ab", "ba", 2}} {
		ab, ba := levenshtein.Distance(c.a, c.b), levenshtein.Distance(c.b, c.a)
		if ab != c.want || ba != c.want {
			t.Errorf("Distance(%q, %q) = %d and reversed %d, want %d both ways", c.a, c.b, ab, ba, c.want)
		}
	}
}

func TestRunes(t *testing.T) {
	checkPairs(t, []pair{
		{"café", "cafe", 1},
		{"日本語", "日本", 1},
		{"日本語", "中国語", 2},
		{"naïve", "naive", 1},
		{"👍", "👎", 1},
		{"", "ü", 1},
	})
}

func TestClosest(t *testing.T) {
	got, d := levenshtein.Closest("aple", []string{"banana", "apple", "maple syrup"})
	if got != "apple" || d != 1 {
		t.Errorf("Closest(aple) = %q, %d; want apple, 1", got, d)
	}
	got, d = levenshtein.Closest("zzz", []string{"zzz"})
	if got != "zzz" || d != 0 {
		t.Errorf("Closest(zzz) = %q, %d; want zzz, 0", got, d)
	}
}

func TestClosestTies(t *testing.T) {
	cases := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"cat", []string{"dog", "bat", "cut", "car"}, "bat"},
		{"x", []string{"ab", "y", "z"}, "y"},
		{"hello", []string{"help", "hallo", "hells"}, "hallo"},
	}
	for _, c := range cases {
		if got, _ := levenshtein.Closest(c.word, c.candidates); got != c.want {
			t.Errorf("Closest(%q, %q) = %q, want %q (the first of the nearest)", c.word, c.candidates, got, c.want)
		}
	}
}

func TestClosestNone(t *testing.T) {
	if got, d := levenshtein.Closest("word", nil); got != "" || d != -1 {
		t.Errorf("Closest with no candidates = %q, %d; want \"\", -1", got, d)
	}
}
