package wordfreq_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"gotasks/wordfreq"
)

type wc = wordfreq.WordCount

func check(t *testing.T, text string, n int, want []wc) {
	t.Helper()
	got, err := wordfreq.TopWords(strings.NewReader(text), n)
	if err != nil {
		t.Fatalf("TopWords(%q, %d) error: %v", text, n, err)
	}
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TopWords(%q, %d) = %v, want %v", text, n, got, want)
	}
}

func TestBasicCounts(t *testing.T) {
	check(t, "b a b c b a", 2, []wc{{"b", 3}, {"a", 2}})
	check(t, "one", 5, []wc{{"one", 1}})
	check(t, "", 3, nil)
	check(t, "x y", 0, nil)
}

func TestSeparators(t *testing.T) {
	check(t, "it's a dog-eat-dog world, 2 dogs! it\tdog", 2, []wc{{"dog", 3}, {"it", 2}})
}

func TestCaseFolded(t *testing.T) {
	check(t, "Go go GO gopher Gopher", 2, []wc{{"go", 3}, {"gopher", 2}})
}

func TestTiesAlphabetical(t *testing.T) {
	check(t, "kilo juliet india hotel golf foxtrot echo delta charlie bravo alpha", 11, []wc{
		{"alpha", 1}, {"bravo", 1}, {"charlie", 1}, {"delta", 1}, {"echo", 1}, {"foxtrot", 1},
		{"golf", 1}, {"hotel", 1}, {"india", 1}, {"juliet", 1}, {"kilo", 1},
	})
}

func TestTopN(t *testing.T) {
	check(t, "x z z z y y w y y", 2, []wc{{"y", 4}, {"z", 3}})
	check(t, "c b a b c c", 2, []wc{{"c", 3}, {"b", 2}})
}

func TestUnicodeWords(t *testing.T) {
	check(t, "Été été ÉTÉ Naïve naïve straße", 3, []wc{{"été", 3}, {"naïve", 2}, {"straße", 1}})
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("some words "), iotest.ErrReader(boom))
	if _, err := wordfreq.TopWords(r, 3); !errors.Is(err, boom) {
		t.Errorf("TopWords on a failing reader: error %v, want %v", err, boom)
	}
}
