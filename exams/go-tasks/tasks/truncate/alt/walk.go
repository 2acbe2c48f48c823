package truncate

import "unicode/utf8"

// Truncate counts runes with utf8.RuneCountInString and cuts at a byte offset found by ranging
// over the string, without converting it to []rune.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := 0
	for i := range s {
		if runes == n-1 {
			return s[:i] + "…"
		}
		runes++
	}
	return s + "…" // not reached: s has more than n runes
}
