package mergeiter

import (
	"container/heap"
	"iter"
)

type head struct {
	value int
	src   int // index into the pulled sequences
}

// heads is a min-heap by value, then by source index.
type heads []head

func (h heads) Len() int { return len(h) }
func (h heads) Less(i, j int) bool {
	if h[i].value != h[j].value {
		return h[i].value < h[j].value
	}
	return h[i].src < h[j].src
}
func (h heads) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heads) Push(x any)   { *h = append(*h, x.(head)) }
func (h *heads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Merge keeps the current head of each sequence in a min-heap and pulls a sequence's next value
// only when the consumer asks for the value after one taken from it.
func Merge(seqs ...iter.Seq[int]) iter.Seq[int] {
	return func(yield func(int) bool) {
		nexts := make([]func() (int, bool), len(seqs))
		for i, seq := range seqs {
			next, stop := iter.Pull(seq)
			defer stop()
			nexts[i] = next
		}
		h := &heads{}
		for i, next := range nexts {
			if v, ok := next(); ok {
				heap.Push(h, head{v, i})
			}
		}
		for h.Len() > 0 {
			top := heap.Pop(h).(head)
			if !yield(top.value) {
				return
			}
			if v, ok := nexts[top.src](); ok {
				heap.Push(h, head{v, top.src})
			}
		}
	}
}
