package slugify

import (
	"strings"
	"unicode"
)

func Slugify(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = strings.Map(unicode.ToLower, w)
	}
	return strings.Join(words, "-")
}

func Shorten(slug string, n int) string {
	if n <= 0 {
		return ""
	}
	words := strings.Split(slug, "-")
	if first := []rune(words[0]); len(first) > n {
		return string(first[:n])
	}
	out, size := words[0], len([]rune(words[0]))
	for _, w := range words[1:] {
		size += 1 + len([]rune(w))
		if size > n {
			break
		}
		out += "-" + w
	}
	return out
}
