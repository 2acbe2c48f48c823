package intervals

import "sort"

// Interval is the closed range [Start, End].
type Interval struct{ Start, End int }

// Merge returns the union of the intervals, disjoint and sorted by Start.
func Merge(in []Interval) []Interval {
	if len(in) == 0 {
		return nil
	}
	s := append([]Interval(nil), in...)
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	out := []Interval{s[0]}
	for _, iv := range s[1:] {
		last := &out[len(out)-1]
		if iv.Start <= last.End {
			last.End = iv.End
		} else {
			out = append(out, iv)
		}
	}
	return out
}
