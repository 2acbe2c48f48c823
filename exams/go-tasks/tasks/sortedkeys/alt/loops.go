package sortedkeys

import (
	"cmp"
	"sort"
)

func keys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Keys collects the keys with a loop and sorts them with sort.Slice.
func Keys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	out := keys(m)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ValuesByKey walks the sorted keys.
func ValuesByKey[M ~map[K]V, K cmp.Ordered, V any](m M) []V {
	var out []V
	for _, k := range Keys(m) {
		out = append(out, m[k])
	}
	return out
}

// KeysFunc sorts once by a combined comparison: compare, then the keys' natural order.
func KeysFunc[M ~map[K]V, K cmp.Ordered, V any](m M, compare func(a, b K) int) []K {
	out := keys(m)
	sort.Slice(out, func(i, j int) bool {
		if c := compare(out[i], out[j]); c != 0 {
			return c < 0
		}
		return out[i] < out[j]
	})
	return out
}

// ByValue sorts once by value descending, then key ascending.
func ByValue[M ~map[K]V, K cmp.Ordered, V cmp.Ordered](m M) []K {
	return KeysFunc(m, func(a, b K) int { return cmp.Compare(m[b], m[a]) })
}
