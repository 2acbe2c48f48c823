package histogram

import (
	"errors"
	"maps"
	"slices"
	"sort"
)

// ErrWidth is returned when width is not positive.
var ErrWidth = errors.New("histogram: width must be positive")

// Bucket holds the values v with Start <= v < Start+width.
type Bucket struct {
	Start int
	Count int
}

// start is the multiple of width at or below v (floor, also for negative v).
func start(v, width int) int {
	return v - ((v%width)+width)%width
}

// Buckets returns the non-empty buckets sorted by Start.
func Buckets(values []int, width int) ([]Bucket, error) {
	if width <= 0 {
		return nil, ErrWidth
	}
	counts := make(map[int]int)
	for _, v := range values {
		counts[start(v, width)]++
	}
	out := make([]Bucket, 0, len(counts))
	for _, s := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, Bucket{Start: s, Count: counts[s]})
	}
	return out, nil
}

// Top returns the n fullest buckets, ties by Start.
func Top(values []int, width, n int) ([]Bucket, error) {
	all, err := Buckets(values, width)
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Count > all[j].Count })
	return all[:max(0, min(n, len(all)))], nil
}
