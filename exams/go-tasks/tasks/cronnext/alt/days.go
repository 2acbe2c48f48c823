package cronnext

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schedule holds the sorted values of each field.
type Schedule struct {
	minutes, hours, doms, months, dows []int
	domStar, dowStar                   bool
}

var errSpec = errors.New("cronnext: invalid schedule")

// values expands one field into its sorted, distinct values.
func values(f string, lo, hi int) ([]int, error) {
	var out []int
	for _, item := range strings.Split(f, ",") {
		step := 1
		if i := strings.IndexByte(item, '/'); i >= 0 {
			n, err := strconv.ParseUint(item[i+1:], 10, 8)
			if err != nil || n == 0 {
				return nil, errSpec
			}
			step, item = int(n), item[:i]
			if item != "*" && !strings.Contains(item, "-") {
				return nil, errSpec
			}
		}
		a, b := lo, hi
		if item != "*" {
			parts := strings.Split(item, "-")
			if len(parts) > 2 {
				return nil, errSpec
			}
			var nums []int
			for _, p := range parts {
				n, err := strconv.ParseUint(p, 10, 8)
				if err != nil || int(n) < lo || int(n) > hi {
					return nil, errSpec
				}
				nums = append(nums, int(n))
			}
			a, b = nums[0], nums[len(nums)-1]
			if a > b {
				return nil, errSpec
			}
		}
		for v := a; v <= b; v += step {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Parse expands each field into a sorted list of values.
func Parse(spec string) (*Schedule, error) {
	f := strings.Split(spec, " ")
	f = slices.DeleteFunc(f, func(s string) bool { return s == "" })
	if len(f) != 5 {
		return nil, errSpec
	}
	var lists [5][]int
	for i, r := range [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}} {
		v, err := values(f[i], r[0], r[1])
		if err != nil {
			return nil, err
		}
		lists[i] = v
	}
	for i, d := range lists[4] {
		if d == 7 {
			lists[4][i] = 0
		}
	}
	return &Schedule{lists[0], lists[1], lists[2], lists[3], lists[4], f[2][0] == '*', f[4][0] == '*'}, nil
}

func (s *Schedule) dayOK(dom int, dow time.Weekday) bool {
	a, b := slices.Contains(s.doms, dom), slices.Contains(s.dows, int(dow))
	if s.domStar || s.dowStar {
		return a && b
	}
	return a || b
}

// instants returns the instants whose wall clock in loc reads y-m-d h:mi: none in a
// daylight-saving gap, two in a repeated hour.
func instants(y int, m time.Month, d, h, mi int, loc *time.Location) []time.Time {
	c := time.Date(y, m, d, h, mi, 0, 0, loc)
	var out []time.Time
	for _, cand := range []time.Time{c.Add(-time.Hour), c, c.Add(time.Hour)} {
		cy, cm, cd := cand.Date()
		if cy == y && cm == m && cd == d && cand.Hour() == h && cand.Minute() == mi && !slices.ContainsFunc(out, cand.Equal) {
			out = append(out, cand)
		}
	}
	return out
}

// Next walks calendar days; on a matching day it builds every listed wall-clock time and
// keeps the earliest instant after t.
func (s *Schedule) Next(t time.Time) time.Time {
	loc := t.Location()
	limit := t.Truncate(time.Minute).Add(time.Minute).AddDate(5, 0, 0)
	y, m, d := t.Date()
	for day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC); ; day = day.AddDate(0, 0, 1) {
		cy, cm, cd := day.Date()
		if time.Date(cy, cm, cd, 0, 0, 0, 0, loc).After(limit) {
			return time.Time{}
		}
		if !slices.Contains(s.months, int(cm)) || !s.dayOK(cd, day.Weekday()) {
			continue
		}
		var best time.Time
		for _, h := range s.hours {
			for _, mi := range s.minutes {
				for _, c := range instants(cy, cm, cd, h, mi, loc) {
					if c.After(t) && (best.IsZero() || c.Before(best)) {
						best = c
					}
				}
			}
		}
		if !best.IsZero() {
			if !best.Before(limit) {
				return time.Time{}
			}
			return best
		}
	}
}
