package chunks

import "iter"

// Chunk yields consecutive sub-slices of s of length n, the last possibly shorter.
func Chunk[T any](s []T, n int) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		if n <= 0 {
			return
		}
		for i := 0; i < len(s); i += n {
			end := min(i+n, len(s))
			if !yield(s[i:end:end]) {
				return
			}
		}
	}
}

// Windows yields each run of n consecutive elements with its starting index.
func Windows[T any](s []T, n int) iter.Seq2[int, []T] {
	return func(yield func(int, []T) bool) {
		if n <= 0 {
			return
		}
		for i := 0; i+n <= len(s); i++ {
			if !yield(i, s[i:i+n:i+n]) {
				return
			}
		}
	}
}
