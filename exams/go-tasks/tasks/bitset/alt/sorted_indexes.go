package bitset

import "slices"

// Bitset keeps the set bits as a sorted slice of indexes; lookups are binary searches.
type Bitset struct{ set []int }

// Set adds i at its sorted position.
func (b *Bitset) Set(i int) {
	if at, found := slices.BinarySearch(b.set, i); !found {
		b.set = slices.Insert(b.set, at, i)
	}
}

// Clear removes i if present.
func (b *Bitset) Clear(i int) {
	if at, found := slices.BinarySearch(b.set, i); found {
		b.set = slices.Delete(b.set, at, at+1)
	}
}

// Test reports whether i is set.
func (b *Bitset) Test(i int) bool {
	_, found := slices.BinarySearch(b.set, i)
	return found
}

// Count returns the number of set bits.
func (b *Bitset) Count() int { return len(b.set) }

// NextSet returns the first index >= from.
func (b *Bitset) NextSet(from int) (int, bool) {
	at, _ := slices.BinarySearch(b.set, from)
	if at == len(b.set) {
		return 0, false
	}
	return b.set[at], true
}
