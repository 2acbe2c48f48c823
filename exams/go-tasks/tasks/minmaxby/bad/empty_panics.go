package minmaxby

import "cmp"

// MinBy returns the first element with the smallest key.
func MinBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	return best(s, key, -1)
}

// MaxBy returns the first element with the largest key.
func MaxBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	return best(s, key, 1)
}

// best keeps the first element whose key compares to the best so far with the sign want.
func best[T any, K cmp.Ordered](s []T, key func(T) K, want int) (T, bool) {
	bi, bk := 0, key(s[0])
	for i := 1; i < len(s); i++ {
		if k := key(s[i]); cmp.Compare(k, bk) == want {
			bi, bk = i, k
		}
	}
	return s[bi], true
}
