package zip

import "iter"

// Zip ranges over a (push) and pulls only b with iter.Pull; leaving the range loop over a
// finishes a, and the deferred stop finishes b.
func Zip[A, B any](a iter.Seq[A], b iter.Seq[B]) iter.Seq2[A, B] {
	return func(yield func(A, B) bool) {
		nextB, stopB := iter.Pull(b)
		defer stopB()
		for x := range a {
			y, ok := nextB()
			if !ok || !yield(x, y) {
				return
			}
		}
	}
}

// Enumerate calls seq directly with a yield function that counts, instead of a range loop.
func Enumerate[T any](seq iter.Seq[T], start int) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		i := start - 1
		seq(func(x T) bool {
			i++
			return yield(i, x)
		})
	}
}
