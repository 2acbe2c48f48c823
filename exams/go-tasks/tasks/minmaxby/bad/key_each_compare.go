package minmaxby

import "cmp"

// MinBy returns the first element with the smallest key.
func MinBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	var best T
	if len(s) == 0 {
		return best, false
	}
	best = s[0]
	for _, e := range s[1:] {
		if cmp.Less(key(e), key(best)) {
			best = e
		}
	}
	return best, true
}

// MaxBy returns the first element with the largest key.
func MaxBy[T any, K cmp.Ordered](s []T, key func(T) K) (T, bool) {
	var best T
	if len(s) == 0 {
		return best, false
	}
	best = s[0]
	for _, e := range s[1:] {
		if cmp.Less(key(best), key(e)) {
			best = e
		}
	}
	return best, true
}
