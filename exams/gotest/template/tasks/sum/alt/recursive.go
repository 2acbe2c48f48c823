package sum

// Sum returns the sum of xs.
func Sum(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return xs[0] + Sum(xs[1:])
}
