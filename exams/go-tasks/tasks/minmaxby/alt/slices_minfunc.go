package minmaxby

import (
	"cmp"
	"slices"
)

// keyed computes every key once, then lets slices.MinFunc / MaxFunc pick the first extreme index.
func keyed[T any, K cmp.Ordered](s []T, key func(T) K) ([]K, []int) {
	keys := make([]K, len(s))
	idx := make([]int, len(s))
	for i, e := range s {
		keys[i] = key(e)
		idx[i] = i
	}
	return keys, idx
}

// MinBy returns the first element with the smallest key.
func MinBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	if len(s) == 0 {
		var zero T
		return zero, false
	}
	keys, idx := keyed(s, key)
	return s[slices.MinFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })], true
}

// MaxBy returns the first element with the largest key.
func MaxBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	if len(s) == 0 {
		var zero T
		return zero, false
	}
	keys, idx := keyed(s, key)
	return s[slices.MaxFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })], true
}
