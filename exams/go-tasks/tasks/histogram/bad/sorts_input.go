package histogram

import (
	"errors"
	"sort"
)

// ErrWidth is returned when width is not positive.
var ErrWidth = errors.New("histogram: width must be positive")

// Bucket holds the values v with Start <= v < Start+width.
type Bucket struct {
	Start int
	Count int
}

func floorStart(v, width int) int {
	s := v / width * width
	if s > v {
		s -= width
	}
	return s
}

// Buckets sorts the values and counts runs of equal bucket starts.
func Buckets(values []int, width int) ([]Bucket, error) {
	if width <= 0 {
		return nil, ErrWidth
	}
	sort.Ints(values)
	out := []Bucket{}
	for _, v := range values {
		s := floorStart(v, width)
		if len(out) > 0 && out[len(out)-1].Start == s {
			out[len(out)-1].Count++
		} else {
			out = append(out, Bucket{Start: s, Count: 1})
		}
	}
	return out, nil
}

// Top returns the n fullest buckets, ties by Start.
func Top(values []int, width, n int) ([]Bucket, error) {
	all, err := Buckets(values, width)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Count > all[j].Count })
	if n < 0 {
		n = 0
	}
	if n > len(all) {
		n = len(all)
	}
	return all[:n], nil
}
