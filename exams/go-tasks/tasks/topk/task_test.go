package topk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gotasks/topk"
)

func e(word string, count int) topk.Entry { return topk.Entry{Word: word, Count: count} }

func check(t *testing.T, words []string, k int, want []topk.Entry) {
	t.Helper()
	got := topk.TopK(words, k)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("TopK(%q, %d) = %v, want %v", words, k, got, want)
	}
}

func TestBasic(t *testing.T) {
	words := strings.Fields("a b c a b a d")
	check(t, words, 2, []topk.Entry{e("a", 3), e("b", 2)})
	check(t, words, 1, []topk.Entry{e("a", 3)})
	check(t, strings.Fields("x y y z z z"), 3, []topk.Entry{e("z", 3), e("y", 2), e("x", 1)})
}

func TestTiesFirstSeen(t *testing.T) {
	check(t, strings.Fields("pear fig apple"), 3, []topk.Entry{e("pear", 1), e("fig", 1), e("apple", 1)})
	check(t, strings.Fields("m z a z m a q"), 4, []topk.Entry{e("m", 2), e("z", 2), e("a", 2), e("q", 1)})
}

func TestTieAtTheCut(t *testing.T) {
	// c, b and a all occur twice; only the two seen first make the cut.
	words := strings.Fields("top top top c b a a b c")
	check(t, words, 3, []topk.Entry{e("top", 3), e("c", 2), e("b", 2)})
	check(t, strings.Fields("y x w x y w v"), 1, []topk.Entry{e("y", 2)})
	check(t, strings.Fields("q p o n"), 2, []topk.Entry{e("q", 1), e("p", 1)})
}

func TestFewerThanK(t *testing.T) {
	check(t, strings.Fields("b a b"), 10, []topk.Entry{e("b", 2), e("a", 1)})
}

func TestEmpty(t *testing.T) {
	check(t, nil, 3, nil)
	check(t, strings.Fields("a b"), 0, nil)
	check(t, strings.Fields("a b"), -1, nil)
	if got := topk.TopK([]string{"a"}, 0); got == nil {
		t.Errorf("TopK(k=0) = nil, want an empty slice")
	}
}

func TestCaseSensitive(t *testing.T) {
	check(t, []string{"Go", "go", "go", "GO", "Go", "go"}, 3, []topk.Entry{e("go", 3), e("Go", 2), e("GO", 1)})
}

func TestLargeInput(t *testing.T) {
	// word i occurs (i % 7) + 1 times, interleaved; ties resolve by first occurrence (smaller i).
	var words []string
	for round := 0; round < 7; round++ {
		for i := 0; i < 200; i++ {
			if round <= i%7 {
				words = append(words, fmt.Sprintf("w%03d", i))
			}
		}
	}
	var want []topk.Entry
	for count := 7; count >= 1 && len(want) < 40; count-- {
		for i := 0; i < 200 && len(want) < 40; i++ {
			if i%7+1 == count {
				want = append(want, e(fmt.Sprintf("w%03d", i), count))
			}
		}
	}
	got := topk.TopK(words, 40)
	if !slices.Equal(got, want) {
		t.Errorf("TopK(1400 words, 40):\n got %v\nwant %v", got, want)
	}
}
