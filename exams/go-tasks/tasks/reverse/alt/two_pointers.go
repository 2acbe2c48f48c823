package reverse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reverse decodes runes from the end of s and appends them to a builder.
func Reverse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		b.WriteRune(r)
		s = s[:len(s)-size]
	}
	return b.String()
}

func kept(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// IsPalindrome walks inwards from both ends of s, skipping runes that are not letters or
// digits, without building a filtered copy.
func IsPalindrome(s string) bool {
	i, j := 0, len(s)
	for i < j {
		front, fs := utf8.DecodeRuneInString(s[i:])
		if !kept(front) {
			i += fs
			continue
		}
		back, bs := utf8.DecodeLastRuneInString(s[:j])
		if !kept(back) {
			j -= bs
			continue
		}
		if unicode.ToLower(front) != unicode.ToLower(back) {
			return false
		}
		i += fs
		j -= bs
	}
	return true
}
