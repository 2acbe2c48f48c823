package bitset

import "math/bits"

// Bitset is a growable set of bits in 64-bit words.
type Bitset struct{ words []uint64 }

// Set adds i.
func (b *Bitset) Set(i int) {
	w := i / 64
	for len(b.words) <= w {
		b.words = append(b.words, 0)
	}
	b.words[w] |= 1 << (i % 64)
}

// Clear removes i.
func (b *Bitset) Clear(i int) {
	if w := i / 64; w < len(b.words) {
		b.words[w] &^= 1 << (i % 64)
	}
}

// Test reports whether i is set.
func (b *Bitset) Test(i int) bool {
	w := i / 64
	return w < len(b.words) && b.words[w]&(1<<(i%64)) != 0
}

// Count returns the number of set bits.
func (b *Bitset) Count() int {
	n := 0
	for _, w := range b.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// NextSet returns the next set bit after from.
func (b *Bitset) NextSet(from int) (int, bool) {
	w := from / 64
	if w >= len(b.words) {
		return 0, false
	}
	word := b.words[w] >> (from % 64) >> 1
	if word != 0 {
		return from + 1 + bits.TrailingZeros64(word), true
	}
	for w++; w < len(b.words); w++ {
		if b.words[w] != 0 {
			return w*64 + bits.TrailingZeros64(b.words[w]), true
		}
	}
	return 0, false
}
