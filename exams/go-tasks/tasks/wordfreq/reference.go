package wordfreq

import (
	"bufio"
	"io"
	"sort"
	"strings"
	"unicode"
)

// WordCount is a word and how often it occurs.
type WordCount struct {
	Word  string
	Count int
}

// TopWords returns the n most frequent words of r, ties in alphabetical order.
func TopWords(r io.Reader, n int) ([]WordCount, error) {
	counts := map[string]int{}
	br := bufio.NewReader(r)
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			counts[strings.ToLower(word.String())]++
			word.Reset()
		}
	}
	for {
		c, _, err := br.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if unicode.IsLetter(c) {
			word.WriteRune(c)
		} else {
			flush()
		}
	}
	flush()
	out := make([]WordCount, 0, len(counts))
	for w, c := range counts {
		out = append(out, WordCount{w, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Word < out[j].Word
	})
	if n < len(out) {
		out = out[:max(n, 0)]
	}
	return out, nil
}
