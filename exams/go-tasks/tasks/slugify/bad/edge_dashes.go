package slugify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Slugify lower-cases letters, keeps digits and turns each run of anything else into one "-".
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			dash = false
			b.WriteRune(unicode.ToLower(r))
		} else if !dash {
			dash = true
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Shorten cuts slug to at most n runes at a word boundary.
func Shorten(slug string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(slug) <= n {
		return slug
	}
	runes := []rune(slug)
	if i := strings.LastIndex(string(runes[:n+1]), "-"); i > 0 {
		return string(runes[:n+1])[:i]
	}
	return string(runes[:n])
}
