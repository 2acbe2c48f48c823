package dedupe

// Dedupe returns the distinct elements of s in first-occurrence order.
func Dedupe[T comparable](s []T) []T {
	seen := make(map[T]bool, len(s))
	var out []T
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// CountBy counts elements by key, keys in first-occurrence order.
func CountBy[T any, K comparable](s []T, key func(T) K) (keys []K, counts []int) {
	index := map[K]int{}
	for _, v := range s {
		k := key(v)
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, k)
			counts = append(counts, 0)
		}
		counts[i]++
	}
	return keys, counts
}
