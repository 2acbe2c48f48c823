package minmaxby

import "cmp"

// MinBy returns the first element with the smallest key.
func MinBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	if len(s) == 0 {
		var zero T
		return zero, false
	}
	bi, bk := 0, key(s[0])
	for i := 1; i < len(s); i++ {
		if k := key(s[i]); cmp.Less(k, bk) {
			bi, bk = i, k
		}
	}
	return s[bi], true
}

// MaxBy returns the element with the largest key.
func MaxBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	if len(s) == 0 {
		var zero T
		return zero, false
	}
	bi, bk := 0, key(s[0])
	for i := 1; i < len(s); i++ {
		if k := key(s[i]); !cmp.Less(k, bk) {
			bi, bk = i, k
		}
	}
	return s[bi], true
}
