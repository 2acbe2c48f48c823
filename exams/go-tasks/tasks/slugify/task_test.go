package slugify_test

import (
	"testing"

	"gotasks/slugify"
)

func checkSlugs(t *testing.T, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := slugify.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBasic(t *testing.T) {
	checkSlugs(t, map[string]string{
		"Hello, World!":       "hello-world",
		"  Go   is fun  ":     "go-is-fun",
		"already-a-slug":      "already-a-slug",
		"A--B":                "a-b",
		"Tabs\tand\nnewlines": "tabs-and-newlines",
		"C'est la vie":        "c-est-la-vie",
	})
}

func TestDigits(t *testing.T) {
	checkSlugs(t, map[string]string{"Top 10 Tips (2024)": "top-10-tips-2024", "3.14 is pi": "3-14-is-pi", "42": "42"})
}

func TestUnicode(t *testing.T) {
	checkSlugs(t, map[string]string{
		"Crème Brûlée!": "crème-brûlée",
		"ÀÉÎ Õü":        "àéî-õü",
		"Straße":        "straße",
		"日本語 テキスト":      "日本語-テキスト",
		"٣ apples":      "٣-apples",
		"Σίσυφος & Co.": "σίσυφος-co",
	})
}

func TestNothingKept(t *testing.T) {
	checkSlugs(t, map[string]string{"": "", "!!!": "", " - ": "", "→ ★ ←": ""})
}

func TestShorten(t *testing.T) {
	for _, c := range []struct {
		slug string
		n    int
		want string
	}{
		{"the-quick-brown-fox", 10, "the-quick"},
		{"the-quick-brown-fox", 9, "the-quick"},
		{"the-quick-brown-fox", 8, "the"},
		{"the-quick-brown-fox", 15, "the-quick-brown"},
		{"the-quick-brown-fox", 19, "the-quick-brown-fox"},
		{"the-quick-brown-fox", 100, "the-quick-brown-fox"},
		{"supercalifragilistic", 5, "super"},
		{"long-word", 2, "lo"},
		{"a-b", 0, ""},
		{"a-b", -3, ""},
	} {
		if got := slugify.Shorten(c.slug, c.n); got != c.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", c.slug, c.n, got, c.want)
		}
	}
}

func TestShortenCountsRunes(t *testing.T) {
	for _, c := range []struct {
		slug string
		n    int
		want string
	}{
		{"crème-brûlée", 12, "crème-brûlée"},
		{"crème-brûlée", 11, "crème"},
		{"crème-brûlée", 6, "crème"},
		{"crème-brûlée", 4, "crèm"},
		{"日本語-テキスト", 5, "日本語"},
	} {
		if got := slugify.Shorten(c.slug, c.n); got != c.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", c.slug, c.n, got, c.want)
		}
	}
}
