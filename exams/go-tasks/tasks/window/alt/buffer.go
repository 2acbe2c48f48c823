package window

import "iter"

// Windows streams the elements through a buffer: a full buffer is yielded (copied), then its
// first step elements are dropped, and any extra elements of a large step are skipped.
func Windows[T any](s []T, size, step int) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		if size <= 0 || step <= 0 {
			return
		}
		var buf []T
		skip := 0
		for _, x := range s {
			if skip > 0 {
				skip--
				continue
			}
			buf = append(buf, x)
			if len(buf) < size {
				continue
			}
			out := make([]T, size)
			copy(out, buf)
			if !yield(out) {
				return
			}
			if step >= size {
				buf, skip = buf[:0], step-size
			} else {
				buf = append(buf[:0], buf[step:]...)
			}
		}
	}
}

// MovingAverage keeps a running sum: add the entering value, subtract the leaving one.
func MovingAverage(xs []float64, n int) iter.Seq2[int, float64] {
	return func(yield func(int, float64) bool) {
		if n <= 0 || n > len(xs) {
			return
		}
		sum := 0.0
		for i, x := range xs {
			sum += x
			if i >= n {
				sum -= xs[i-n]
			}
			if i >= n-1 && !yield(i-n+1, sum/float64(n)) {
				return
			}
		}
	}
}
