package genericset

import (
	"cmp"
	"maps"
	"slices"
)

// Set is a set of comparable values.
type Set[T comparable] struct{ m map[T]struct{} }

// New returns a set of items.
func New[T comparable](items ...T) *Set[T] {
	s := &Set[T]{m: make(map[T]struct{}, len(items))}
	s.Add(items...)
	return s
}

// Add inserts items.
func (s *Set[T]) Add(items ...T) {
	for _, x := range items {
		s.m[x] = struct{}{}
	}
}

// Remove deletes item.
func (s *Set[T]) Remove(item T) { delete(s.m, item) }

// Contains reports whether item is in s.
func (s *Set[T]) Contains(item T) bool {
	_, ok := s.m[item]
	return ok
}

// Len returns the number of elements.
func (s *Set[T]) Len() int { return len(s.m) }

// Equal reports whether s and other hold the same elements.
func (s *Set[T]) Equal(other *Set[T]) bool {
	return s.Len() == other.Len() && s.Difference(other).Len() == 0
}

// Union returns the elements in s or other.
func (s *Set[T]) Union(other *Set[T]) *Set[T] {
	maps.Copy(s.m, other.m)
	return s
}

// Intersection returns the elements in both s and other.
func (s *Set[T]) Intersection(other *Set[T]) *Set[T] {
	small, large := s, other
	if large.Len() < small.Len() {
		small, large = large, small
	}
	out := New[T]()
	for x := range small.m {
		if large.Contains(x) {
			out.Add(x)
		}
	}
	return out
}

// Difference returns the elements of s not in other.
func (s *Set[T]) Difference(other *Set[T]) *Set[T] {
	out := New[T]()
	for x := range s.m {
		if !other.Contains(x) {
			out.Add(x)
		}
	}
	return out
}

// Sorted returns the elements in ascending order.
func Sorted[T cmp.Ordered](s *Set[T]) []T {
	out := make([]T, 0, s.Len())
	out = slices.AppendSeq(out, maps.Keys(s.m))
	slices.Sort(out)
	return out
}
