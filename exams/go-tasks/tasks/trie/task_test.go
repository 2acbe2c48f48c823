package trie_test

import (
	"slices"
	"testing"

	"gotasks/trie"
)

func build(words ...string) *trie.Trie {
	t := trie.New()
	for _, w := range words {
		t.Insert(w)
	}
	return t
}

func TestInsertContains(t *testing.T) {
	tr := build("tea", "ten", "inn", "to")
	for _, w := range []string{"tea", "ten", "inn", "to"} {
		if !tr.Contains(w) {
			t.Errorf("Contains(%q) = false after Insert", w)
		}
	}
	for _, w := range []string{"te", "tex", "teas", "x", ""} {
		if tr.Contains(w) {
			t.Errorf("Contains(%q) = true, never inserted", w)
		}
	}
}

func TestPrefixIsNotAWord(t *testing.T) {
	tr := build("carpet", "cartoon")
	for _, w := range []string{"c", "car", "carp", "cart"} {
		if tr.Contains(w) {
			t.Errorf("Contains(%q) = true: it is only a prefix of inserted words", w)
		}
	}
	tr.Insert("car")
	if !tr.Contains("car") || tr.Contains("ca") {
		t.Errorf("after Insert(car): Contains(car) = %v, Contains(ca) = %v; want true, false", tr.Contains("car"), tr.Contains("ca"))
	}
}

func TestInsertTwice(t *testing.T) {
	tr := trie.New()
	steps := []struct {
		word string
		new  bool
		n    int
	}{{"go", true, 1}, {"gopher", true, 2}, {"go", false, 2}, {"", true, 3}, {"", false, 3}, {"gopher", false, 3}}
	for _, s := range steps {
		if got := tr.Insert(s.word); got != s.new {
			t.Errorf("Insert(%q) = %v, want %v", s.word, got, s.new)
		}
		if tr.Len() != s.n {
			t.Errorf("after Insert(%q): Len() = %d, want %d", s.word, tr.Len(), s.n)
		}
	}
	if !tr.Contains("") {
		t.Errorf("Contains(\"\") = false after inserting the empty word")
	}
}

func TestWithPrefix(t *testing.T) {
	tr := build("banana", "band", "bandana", "apple", "bank", "ban")
	cases := []struct {
		prefix string
		want   []string
	}{
		{"band", []string{"band", "bandana"}},
		{"bank", []string{"bank"}},
		{"ba", []string{"ban", "banana", "band", "bandana", "bank"}},
		{"a", []string{"apple"}},
	}
	for _, c := range cases {
		if got := tr.WithPrefix(c.prefix); !slices.Equal(got, c.want) {
			t.Errorf("WithPrefix(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
}

func TestPrefixIncludesItself(t *testing.T) {
	tr := build("ant", "an", "a", "and")
	if got, want := tr.WithPrefix("an"), []string{"an", "and", "ant"}; !slices.Equal(got, want) {
		t.Errorf("WithPrefix(an) = %q, want %q (the prefix is itself a word)", got, want)
	}
	if got, want := tr.WithPrefix("ant"), []string{"ant"}; !slices.Equal(got, want) {
		t.Errorf("WithPrefix(ant) = %q, want %q", got, want)
	}
}

func TestSortedOrder(t *testing.T) {
	words := []string{"zeta", "alpha", "mu", "beta", "Zulu", "epsilon", "al", "b"}
	tr := build(words...)
	want := slices.Clone(words)
	slices.Sort(want)
	if got := tr.WithPrefix(""); !slices.Equal(got, want) {
		t.Errorf("WithPrefix(\"\") = %q, want every word sorted: %q", got, want)
	}
}

func TestNoMatch(t *testing.T) {
	tr := build("one", "two")
	for _, p := range []string{"three", "onee", "x"} {
		if got := tr.WithPrefix(p); len(got) != 0 {
			t.Errorf("WithPrefix(%q) = %q, want none", p, got)
		}
	}
	if got := trie.New().WithPrefix(""); len(got) != 0 {
		t.Errorf("WithPrefix on an empty trie = %q, want none", got)
	}
}

func TestUnicode(t *testing.T) {
	tr := build("日本語", "日本", "日曜日", "über", "uber", "🙂ok", "🙂")
	if got, want := tr.WithPrefix("日"), []string{"日曜日", "日本", "日本語"}; !slices.Equal(got, want) {
		t.Errorf("WithPrefix(日) = %q, want %q", got, want)
	}
	if got, want := tr.WithPrefix("🙂"), []string{"🙂", "🙂ok"}; !slices.Equal(got, want) {
		t.Errorf("WithPrefix(🙂) = %q, want %q", got, want)
	}
	if !tr.Contains("über") || tr.Contains("üb") {
		t.Errorf("Contains(über), Contains(üb) = %v, %v; want true, false", tr.Contains("über"), tr.Contains("üb"))
	}
}
