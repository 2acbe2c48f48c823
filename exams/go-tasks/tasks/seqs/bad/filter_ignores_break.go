package seqs

import "iter"

// Filter yields the elements of seq for which keep returns true.
func Filter[T any](seq iter.Seq[T], keep func(T) bool) iter.Seq[T] {
	return func(yield func(T) bool) {
		stopped := false
		for x := range seq {
			if !stopped && keep(x) {
				stopped = !yield(x)
			}
		}
	}
}

// Map yields f(x) for each element x of seq.
func Map[T, U any](seq iter.Seq[T], f func(T) U) iter.Seq[U] {
	return func(yield func(U) bool) {
		for x := range seq {
			if !yield(f(x)) {
				return
			}
		}
	}
}

// Take yields the first n elements of seq.
func Take[T any](seq iter.Seq[T], n int) iter.Seq[T] {
	return func(yield func(T) bool) {
		if n <= 0 {
			return
		}
		i := 0
		for x := range seq {
			if !yield(x) {
				return
			}
			i++
			if i == n {
				return
			}
		}
	}
}

// Count yields start, start+1, ... forever.
func Count(start int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := start; yield(i); i++ {
		}
	}
}
