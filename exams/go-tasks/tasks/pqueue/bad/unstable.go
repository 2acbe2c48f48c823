package pqueue

import "container/heap"

type item[T any] struct {
	value T
	seq   uint64
}

type items[T any] struct {
	list []item[T]
	less func(a, b T) bool
}

func (h *items[T]) Len() int { return len(h.list) }
func (h *items[T]) Less(i, j int) bool {
	a, b := h.list[i], h.list[j]
	return h.less(a.value, b.value)
}
func (h *items[T]) Swap(i, j int) { h.list[i], h.list[j] = h.list[j], h.list[i] }
func (h *items[T]) Push(x any)    { h.list = append(h.list, x.(item[T])) }
func (h *items[T]) Pop() any {
	last := h.list[len(h.list)-1]
	h.list = h.list[:len(h.list)-1]
	return last
}

// Queue is a priority queue, FIFO among equal elements.
type Queue[T any] struct {
	h   items[T]
	seq uint64
}

// New returns an empty queue ordered by less.
func New[T any](less func(a, b T) bool) *Queue[T] {
	return &Queue[T]{h: items[T]{less: less}}
}

// Push adds x.
func (q *Queue[T]) Push(x T) {
	q.seq++
	heap.Push(&q.h, item[T]{x, q.seq})
}

// Pop removes and returns the first element; ok is false when the queue is empty.
func (q *Queue[T]) Pop() (T, bool) {
	if q.h.Len() == 0 {
		var zero T
		return zero, false
	}
	return heap.Pop(&q.h).(item[T]).value, true
}

// Len returns the number of elements.
func (q *Queue[T]) Len() int { return q.h.Len() }
