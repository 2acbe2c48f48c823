package wraptext

import (
	"strings"
	"unicode/utf8"
)

// paragraphs returns the words of each paragraph; blank lines separate paragraphs.
func paragraphs(text string) [][]string {
	var out [][]string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, words...)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// wrap lays out one paragraph's words greedily.
func wrap(words []string, width int) []string {
	var lines []string
	line, n := "", 0 // the current line and its length in runes
	for _, w := range words {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn <= width {
			line, n = line+" "+w, n+1+wn
			continue
		}
		if n > 0 {
			lines = append(lines, line)
		}
		runes := []rune(w)
		for len(runes) > width {
			lines = append(lines, string(runes[:width]))
			runes = runes[width:]
		}
		line, n = string(runes), len(runes)
	}
	if n > 0 {
		lines = append(lines, line)
	}
	return lines
}

// Wrap reflows text into lines of at most width runes, keeping paragraphs.
func Wrap(text string, width int) string {
	var blocks []string
	if words := strings.Fields(text); len(words) > 0 {
		blocks = append(blocks, strings.Join(wrap(words, width), "\n"))
	}
	return strings.Join(blocks, "\n\n")
}
