package window

import (
	"iter"
	"slices"
)

// Windows yields copies of the windows of size elements of s, moving by step.
func Windows[T any](s []T, size, step int) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		if size <= 0 || step <= 0 {
			return
		}
		for i := 0; i+size <= len(s); i += step {
			if !yield(slices.Clone(s[i : i+size])) {
				return
			}
		}
	}
}

// MovingAverage yields the start index and mean of every run of n values.
func MovingAverage(xs []float64, n int) iter.Seq2[int, float64] {
	return func(yield func(int, float64) bool) {
		i := 0
		for w := range Windows(xs, n, 1) {
			sum := 0.0
			for _, x := range w {
				sum += x
			}
			if !yield(i, sum/float64(n)) {
				return
			}
			i++
		}
	}
}
