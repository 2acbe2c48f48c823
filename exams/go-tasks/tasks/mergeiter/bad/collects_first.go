package mergeiter

import (
	"iter"
	"slices"
)

// Merge reads every sequence into one slice and sorts it.
func Merge(seqs ...iter.Seq[int]) iter.Seq[int] {
	return func(yield func(int) bool) {
		var all []int
		for _, seq := range seqs {
			all = append(all, slices.Collect(seq)...)
		}
		slices.Sort(all)
		for _, v := range all {
			if !yield(v) {
				return
			}
		}
	}
}
