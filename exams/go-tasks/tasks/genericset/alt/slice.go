package genericset

import "cmp"

// Set keeps its elements in a slice in insertion order; lookups are linear scans.
type Set[T comparable] struct{ items []T }

// New returns a set of items.
func New[T comparable](items ...T) *Set[T] {
	s := &Set[T]{}
	s.Add(items...)
	return s
}

func (s *Set[T]) index(item T) int {
	for i, x := range s.items {
		if x == item {
			return i
		}
	}
	return -1
}

// Add inserts items not yet present.
func (s *Set[T]) Add(items ...T) {
	for _, x := range items {
		if s.index(x) < 0 {
			s.items = append(s.items, x)
		}
	}
}

// Remove deletes item by moving the last element into its place.
func (s *Set[T]) Remove(item T) {
	if i := s.index(item); i >= 0 {
		last := len(s.items) - 1
		s.items[i] = s.items[last]
		s.items = s.items[:last]
	}
}

// Contains reports whether item is in s.
func (s *Set[T]) Contains(item T) bool { return s.index(item) >= 0 }

// Len returns the number of elements.
func (s *Set[T]) Len() int { return len(s.items) }

func (s *Set[T]) filter(keep func(T) bool) *Set[T] {
	out := &Set[T]{}
	for _, x := range s.items {
		if keep(x) {
			out.items = append(out.items, x)
		}
	}
	return out
}

// Equal reports whether each set holds every element of the other.
func (s *Set[T]) Equal(other *Set[T]) bool {
	return s.Len() == other.Len() && s.filter(other.Contains).Len() == s.Len()
}

// Union returns the elements in s or other.
func (s *Set[T]) Union(other *Set[T]) *Set[T] {
	out := &Set[T]{items: append([]T(nil), s.items...)}
	out.Add(other.items...)
	return out
}

// Intersection returns the elements in both s and other.
func (s *Set[T]) Intersection(other *Set[T]) *Set[T] { return s.filter(other.Contains) }

// Difference returns the elements of s not in other.
func (s *Set[T]) Difference(other *Set[T]) *Set[T] {
	return s.filter(func(x T) bool { return !other.Contains(x) })
}

// Sorted returns the elements in ascending order by insertion sort.
func Sorted[T cmp.Ordered](s *Set[T]) []T {
	out := make([]T, 0, len(s.items))
	for _, x := range s.items {
		i := len(out)
		out = append(out, x)
		for ; i > 0 && cmp.Less(x, out[i-1]); i-- {
			out[i] = out[i-1]
		}
		out[i] = x
	}
	return out
}
