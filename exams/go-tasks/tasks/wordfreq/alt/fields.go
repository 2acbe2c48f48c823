package wordfreq

import (
	"cmp"
	"io"
	"slices"
	"strings"
	"unicode"
)

// WordCount is a word and how often it occurs.
type WordCount struct {
	Word  string
	Count int
}

// TopWords reads everything, splits with strings.FieldsFunc, and sorts with one comparison
// function over (count descending, word ascending).
func TopWords(r io.Reader, n int) ([]WordCount, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	notLetter := func(c rune) bool { return !unicode.IsLetter(c) }
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(string(data), notLetter) {
		counts[strings.ToLower(w)]++
	}
	out := []WordCount{}
	for w, c := range counts {
		out = append(out, WordCount{w, c})
	}
	slices.SortFunc(out, func(a, b WordCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Word, b.Word))
	})
	return out[:min(max(n, 0), len(out))], nil
}
