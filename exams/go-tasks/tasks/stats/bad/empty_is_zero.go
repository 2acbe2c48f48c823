package stats

import (
	"errors"
	"slices"
)

// Number is any integer or floating-point type.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// ErrEmpty is returned by Mean and Median for an empty slice.
var ErrEmpty = errors.New("stats: empty input")

// Sum returns the sum of xs.
func Sum[T Number](xs []T) T {
	var total T
	for _, x := range xs {
		total += x
	}
	return total
}

// Mean returns the arithmetic mean of xs.
func Mean[T Number](xs []T) (float64, error) {
	total := 0.0
	for _, x := range xs {
		total += float64(x)
	}
	return total / float64(len(xs)), nil
}

// Median returns the median of xs.
func Median[T Number](xs []T) (float64, error) {
	if len(xs) == 0 {
		return 0, nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid]), nil
	}
	return (float64(s[mid-1]) + float64(s[mid])) / 2, nil
}
