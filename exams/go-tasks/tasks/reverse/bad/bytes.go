package reverse

import (
	"strings"
	"unicode"
)

// Reverse returns s reversed.
func Reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// IsPalindrome reports whether s is a palindrome, ignoring case and punctuation.
func IsPalindrome(s string) bool {
	var kept []byte
	for _, c := range []byte(strings.ToLower(s)) {
		if unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || c >= 0x80 {
			kept = append(kept, c)
		}
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		if kept[i] != kept[j] {
			return false
		}
	}
	return true
}
