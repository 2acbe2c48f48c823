package pqueue

import "sort"

// Queue keeps its elements sorted in a slice: Push inserts after every element that is not
// greater (so equal elements stay in push order) and Pop takes the front.
type Queue[T any] struct {
	items []T
	less  func(a, b T) bool
}

// New returns an empty queue ordered by less.
func New[T any](less func(a, b T) bool) *Queue[T] { return &Queue[T]{less: less} }

// Push inserts x at its place by binary search.
func (q *Queue[T]) Push(x T) {
	i := sort.Search(len(q.items), func(i int) bool { return q.less(x, q.items[i]) })
	var zero T
	q.items = append(q.items, zero)
	copy(q.items[i+1:], q.items[i:])
	q.items[i] = x
}

// Pop removes and returns the front element; ok is false when the queue is empty.
func (q *Queue[T]) Pop() (T, bool) {
	var zero T
	if len(q.items) == 0 {
		return zero, false
	}
	x := q.items[0]
	q.items[0] = zero
	q.items = q.items[1:]
	return x, true
}

// Len returns the number of elements.
func (q *Queue[T]) Len() int { return len(q.items) }
