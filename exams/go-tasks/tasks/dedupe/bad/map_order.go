package dedupe

// Dedupe returns the distinct elements of s.
func Dedupe[T comparable](s []T) []T {
	seen := make(map[T]bool, len(s))
	for _, v := range s {
		seen[v] = true
	}
	var out []T
	for v := range seen {
		out = append(out, v)
	}
	return out
}

// CountBy counts elements by key.
func CountBy[T any, K comparable](s []T, key func(T) K) (keys []K, counts []int) {
	m := map[K]int{}
	for _, v := range s {
		m[key(v)]++
	}
	for k, c := range m {
		keys = append(keys, k)
		counts = append(counts, c)
	}
	return keys, counts
}
