package sortedkeys

import (
	"cmp"
	"maps"
	"slices"
)

// Keys returns the keys of m in ascending order.
func Keys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	return slices.Sorted(maps.Keys(m))
}

// ValuesByKey returns the values of m ordered by their keys.
func ValuesByKey[M ~map[K]V, K cmp.Ordered, V any](m M) []V {
	return slices.Collect(maps.Values(m))
}

// KeysFunc returns the keys sorted by compare, ties ascending.
func KeysFunc[M ~map[K]V, K cmp.Ordered, V any](m M, compare func(a, b K) int) []K {
	keys := Keys(m)
	slices.SortStableFunc(keys, compare)
	return keys
}

// ByValue returns the keys by value descending, ties by key ascending.
func ByValue[M ~map[K]V, K cmp.Ordered, V cmp.Ordered](m M) []K {
	keys := Keys(m)
	slices.SortStableFunc(keys, func(a, b K) int { return cmp.Compare(m[b], m[a]) })
	return keys
}
