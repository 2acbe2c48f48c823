package intervals

import (
	"cmp"
	"slices"
)

type Interval struct{ Start, End int }

// Merge sweeps the sorted start and end events, counting how many intervals are open: a union
// interval begins when the count leaves 0 and ends when it returns to 0. At one position starts
// come before ends, so intervals that share an endpoint join.
func Merge(in []Interval) []Interval {
	type event struct {
		at    int
		delta int // +1 start, -1 end
	}
	events := make([]event, 0, 2*len(in))
	for _, iv := range in {
		events = append(events, event{iv.Start, +1}, event{iv.End, -1})
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(b.delta, a.delta)) })
	var out []Interval
	open := 0
	for _, e := range events {
		if open == 0 {
			out = append(out, Interval{Start: e.at})
		}
		open += e.delta
		if open == 0 {
			out[len(out)-1].End = e.at
		}
	}
	return out
}
