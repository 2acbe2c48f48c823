package zip

import "iter"

// Zip yields pairs of the i-th elements of a and b until either ends.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		var xs []A
		for x := range a {
			xs = append(xs, x)
		}
		var ys []B
		for y := range b {
			ys = append(ys, y)
		}
		for i := 0; i < len(xs) && i < len(ys); i++ {
			if !yield(xs[i], ys[i]) {
				return
			}
		}
	}
}

// Enumerate yields (i, x) for each x of seq, i counting from start.
func Enumerate[T any](seq iter.Seq[T], start int) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		i := start
		for x := range seq {
			if !yield(i, x) {
				return
			}
			i++
		}
	}
}
