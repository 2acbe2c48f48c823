package mergeiter

import "iter"

// Merge splits seqs in halves and merges the two merged halves, recursively.
func Merge(seqs ...iter.Seq[int]) iter.Seq[int] {
	switch len(seqs) {
	case 0:
		return func(func(int) bool) {}
	case 1:
		return merge2(seqs[0], nil)
	}
	return merge2(Merge(seqs[:len(seqs)/2]...), Merge(seqs[len(seqs)/2:]...))
}

// merge2 merges two ascending sequences (b may be nil: a alone), pulling each only on demand.
func merge2(a, b iter.Seq[int]) iter.Seq[int] {
	return func(yield func(int) bool) {
		nextA, stopA := iter.Pull(a)
		defer stopA()
		va, okA := nextA()
		if b == nil {
			for ; okA; va, okA = nextA() {
				if !yield(va) {
					return
				}
			}
			return
		}
		nextB, stopB := iter.Pull(b)
		defer stopB()
		vb, okB := nextB()
		for okA || okB {
			if okA && (!okB || va <= vb) {
				if !yield(va) {
					return
				}
				va, okA = nextA()
			} else {
				if !yield(vb) {
					return
				}
				vb, okB = nextB()
			}
		}
	}
}
