package levenshtein

import "unicode/utf8"

// Distance fills the whole (len(a)+1) x (len(b)+1) table, decoding runes by hand.
func Distance(a, b string) int {
	var ra, rb []rune
	for s := a; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		ra, s = append(ra, r), s[n:]
	}
	for s := b; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		rb, s = append(rb, r), s[n:]
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			if ra[i-1] == rb[j-1] {
				d[i][j] = d[i-1][j-1]
				continue
			}
			d[i][j] = 1 + min(d[i-1][j], d[i][j-1], d[i-1][j-1])
		}
	}
	return d[len(ra)][len(rb)]
}

// Closest scans the candidates from the end, keeping the earliest on ties.
func Closest(word string, candidates []string) (string, int) {
	if len(candidates) == 0 {
		return "", -1
	}
	best := len(candidates) - 1
	bestD := Distance(word, candidates[best])
	for i := len(candidates) - 2; i >= 0; i-- {
		if d := Distance(word, candidates[i]); d <= bestD {
			best, bestD = i, d
		}
	}
	return candidates[best], bestD
}
