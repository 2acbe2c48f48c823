package slugify

import (
	"strings"
	"unicode"
)

// Slugify lower-cases letters, keeps digits and turns each run of anything else into one "-".
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			dash = true
		}
	}
	return b.String()
}

// Shorten cuts slug to at most n runes at a word boundary.
func Shorten(slug string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(slug) <= n {
		return slug
	}
	if i := strings.LastIndex(slug[:n+1], "-"); i > 0 {
		return slug[:i]
	}
	return slug[:n]
}
