package topk

import "container/heap"

// Entry is a word and how many times it occurs.
type Entry struct {
	Word  string
	Count int
}

type ranked struct {
	Entry
	first int // index of the first occurrence
}

// better reports whether a ranks before b: more frequent, then alphabetically.
func better(a, b ranked) bool {
	if a.Count != b.Count {
		return a.Count > b.Count
	}
	return a.Word < b.Word
}

// worstFirst is a min-heap by rank: the root is the entry to drop first.
type worstFirst []ranked

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return better(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(ranked)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TopK returns the k most frequent words, ties by first occurrence.
func TopK(words []string, k int) []Entry {
	if k <= 0 {
		return []Entry{}
	}
	index := map[string]int{}
	var all []ranked
	for i, w := range words {
		if j, ok := index[w]; ok {
			all[j].Count++
			continue
		}
		index[w] = len(all)
		all = append(all, ranked{Entry{w, 1}, i})
	}
	h := &worstFirst{}
	for _, r := range all {
		heap.Push(h, r)
		if h.Len() > k {
			heap.Pop(h)
		}
	}
	out := make([]Entry, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(ranked).Entry
	}
	return out
}
