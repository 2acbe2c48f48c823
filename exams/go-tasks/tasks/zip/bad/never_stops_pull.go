package zip

import "iter"

// Zip yields pairs of the i-th elements of a and b until either ends.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		nextA, _ := iter.Pull(a)
		nextB, _ := iter.Pull(b)
		for {
			x, ok := nextA()
			if !ok {
				return
			}
			y, ok := nextB()
			if !ok {
				return
			}
			if !yield(x, y) {
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
