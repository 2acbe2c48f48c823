package seqs

import "iter"

// Filter pulls from seq with iter.Pull instead of ranging over it.
func Filter[T any](seq iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		next, stop := iter.Pull(seq)
		defer stop()
		for {
			x, ok := next()
			if !ok {
				return
			}
			if keep(x) && !yield(x) {
				return
			}
		}
	}
}

// Map pulls from seq with iter.Pull.
func Map[T, U any](seq iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		next, stop := iter.Pull(seq)
		defer stop()
		for x, ok := next(); ok; x, ok = next() {
			if !yield(f(x)) {
				return
			}
		}
	}
}

// Take pulls exactly as many elements as it yields.
func Take[T any](seq iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		if n <= 0 {
			return
		}
		next, stop := iter.Pull(seq)
		defer stop()
		for range n {
			x, ok := next()
			if !ok || !yield(x) {
				return
			}
		}
	}
}

// Count yields start, start+1, ... forever.
func Count(start int) iter.Seq[int] {
	return func(yield func(int) bool) {
		n := start
		for {
			if !yield(n) {
				return
			}
			n++
		}
	}
}
