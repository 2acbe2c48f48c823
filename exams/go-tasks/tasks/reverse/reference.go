package reverse

import (
	"unicode"
)

// Reverse returns s with its runes in reverse order.
func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// IsPalindrome reports whether the letters and digits of s read the same both ways, ignoring case.
func IsPalindrome(s string) bool {
	var kept []rune
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			kept = append(kept, unicode.ToLower(c))
		}
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		if kept[i] != kept[j] {
			return false
		}
	}
	return true
}
