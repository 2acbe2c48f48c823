package topk

import (
	"cmp"
	"slices"
)

// Entry is a word and how many times it occurs.
type Entry struct {
	Word  string
	Count int
}

// TopK counts every word, sorts all distinct words stably by count and keeps the first k.
func TopK(words []string, k int) []Entry {
	counts := map[string]int{}
	var order []string // distinct words in order of first occurrence
	for _, w := range words {
		if counts[w] == 0 {
			order = append(order, w)
		}
		counts[w]++
	}
	out := make([]Entry, 0, len(order))
	for _, w := range order {
		out = append(out, Entry{w, counts[w]})
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cmp.Compare(b.Count, a.Count) })
	return out[:max(0, min(k, len(out)))]
}
