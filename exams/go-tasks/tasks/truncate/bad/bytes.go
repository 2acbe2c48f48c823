package truncate

// Truncate shortens s to at most n characters, ending a shortened string with "…".
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
