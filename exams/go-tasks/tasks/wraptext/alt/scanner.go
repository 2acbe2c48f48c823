package wraptext

import (
	"strings"
	"unicode"
)

// Wrap makes one pass over the runes: a white-space run holding two or more "\n" between words
// is a paragraph break; each word is laid out as soon as it ends, the current line kept as runes.
func Wrap(text string, width int) string {
	var (
		lines        []string // output lines; "" separates paragraphs
		line, word   []rune
		newlines     int
		started      bool // a word has been placed
		breakPending bool // a paragraph break comes before the next word
	)
	place := func() {
		if len(word) == 0 {
			return
		}
		if breakPending {
			if len(line) > 0 {
				lines = append(lines, string(line))
				line = nil
			}
			lines = append(lines, "")
			breakPending = false
		}
		if len(line) > 0 && len(line)+1+len(word) <= width {
			line = append(append(line, ' '), word...)
		} else {
			if len(line) > 0 {
				lines = append(lines, string(line))
			}
			for len(word) > width {
				lines = append(lines, string(word[:width]))
				word = word[width:]
			}
			line = append([]rune(nil), word...)
		}
		word = word[:0]
		started = true
	}
	for _, r := range text {
		if unicode.IsSpace(r) {
			place()
			if r == '\n' {
				newlines++
			}
			continue
		}
		if newlines >= 2 && started {
			breakPending = true
		}
		newlines = 0
		word = append(word, r)
	}
	place()
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return strings.Join(lines, "\n")
}
