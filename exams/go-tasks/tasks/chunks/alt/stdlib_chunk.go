package chunks

import (
	"iter"
	"slices"
)

// Chunk delegates to slices.Chunk (which also cuts with full slice expressions).
func Chunk[T any](s []T, n int) iter.Seq[[]T] {
	if n <= 0 {
		return func(func([]T) bool) {}
	}
	return slices.Chunk(s, n)
}

// Windows slides a [lo, hi) pair of bounds, counting the windows left.
func Windows[T any](s []T, n int) iter.Seq2[int, []T] {
	return func(yield func(int, []T) bool) {
		if n <= 0 {
			return
		}
		lo, hi := 0, n
		for left := len(s) - n + 1; left > 0; left-- {
			if !yield(lo, slices.Clip(s[lo:hi])) {
				return
			}
			lo, hi = lo+1, hi+1
		}
	}
}
