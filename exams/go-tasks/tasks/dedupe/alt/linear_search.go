package dedupe

import "slices"

// Dedupe keeps an element when it is not yet in the output: no map, a linear search.
func Dedupe[T comparable](s []T) []T {
	out := make([]T, 0, len(s))
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// CountBy finds each key's slot by searching the keys seen so far.
func CountBy[T any, K comparable](s []T, key func(T) K) (keys []K, counts []int) {
	for _, v := range s {
		k := key(v)
		if i := slices.Index(keys, k); i >= 0 {
			counts[i]++
			continue
		}
		keys = append(keys, k)
		counts = append(counts, 1)
	}
	return keys, counts
}
