package cronnext

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule holds one bit set per field.
type Schedule struct {
	minute, hour, dom, month, dow uint64
	domStar, dowStar              bool
}

type bounds struct{ lo, hi int }

var fieldBounds = [5]bounds{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}

func number(s string, b bounds) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("cronnext: %q is not a number", s)
	}
	if n < b.lo || n > b.hi {
		return 0, fmt.Errorf("cronnext: %d is outside %d-%d", n, b.lo, b.hi)
	}
	return n, nil
}

// field parses one field into a bit set.
func field(s string, b bounds) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || strings.ContainsAny(stepText, "+-") {
				return 0, fmt.Errorf("cronnext: bad step %q", item)
			}
			step = n
		}
		var lo, hi int
		switch loText, hiText, isRange := strings.Cut(rng, "-"); {
		case rng == "*":
			lo, hi = b.lo, b.hi
		case isRange:
			var err error
			if lo, err = number(loText, b); err != nil {
				return 0, err
			}
			if hi, err = number(hiText, b); err != nil {
				return 0, err
			}
			if lo > hi {
				return 0, fmt.Errorf("cronnext: range %q is backwards", rng)
			}
		case hasStep:
			return 0, fmt.Errorf("cronnext: a step needs * or a range: %q", item)
		default:
			n, err := number(rng, b)
			if err != nil {
				return 0, err
			}
			lo, hi = n, n
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

// Parse parses a 5-field cron spec.
func Parse(spec string) (*Schedule, error) {
	fields := strings.Fields(spec)
	if len(fields) != 5 || strings.ContainsAny(spec, "\t\n\r") {
		return nil, fmt.Errorf("cronnext: want 5 fields separated by spaces, got %q", spec)
	}
	var sets [5]uint64
	for i, f := range fields {
		bits, err := field(f, fieldBounds[i])
		if err != nil {
			return nil, err
		}
		sets[i] = bits
	}
	if sets[4]&(1<<7) != 0 {
		sets[4] |= 1 // 7 is Sunday too
	}
	return &Schedule{
		minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4],
		domStar: strings.HasPrefix(fields[2], "*"), dowStar: strings.HasPrefix(fields[4], "*"),
	}, nil
}

func has(set uint64, v int) bool { return set&(1<<v) != 0 }

func (s *Schedule) dayMatches(t time.Time) bool {
	dom, dow := has(s.dom, t.Day()), has(s.dow, int(t.Weekday()))
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// Next walks forward, skipping whole months, days and hours that cannot match.
func (s *Schedule) Next(t time.Time) time.Time {
	loc := t.Location()
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		y, m, d := t.Date()
		switch {
		case !has(s.month, int(m)):
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
		case !s.dayMatches(t):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		case !has(s.hour, t.Hour()):
			t = t.Add(time.Duration(60-t.Minute()) * time.Minute)
		case !has(s.minute, t.Minute()):
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}
