package businessdays

import "time"

// dayNumber is the count of days since 1970-01-01 of t's calendar date (in t's location).
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// calendar holds the holidays as a set of day numbers; weekdays come from arithmetic
// (day 0, 1970-01-01, was a Thursday).
type calendar map[int64]bool

func newCalendar(holidays []time.Time) calendar {
	c := calendar{}
	for _, h := range holidays {
		c[dayNumber(h)] = true
	}
	return c
}

func (c calendar) business(day int64) bool {
	wd := ((day+4)%7 + 7) % 7 // 0 = Sunday
	return wd != 0 && wd != 6 && !c[day]
}

// Add walks day numbers, then rebuilds the time from the date and start's clock.
func Add(start time.Time, n int, holidays []time.Time) time.Time {
	if n == 0 {
		return start
	}
	c := newCalendar(holidays)
	day := dayNumber(start)
	step := int64(1)
	if n < 0 {
		step = -1
	}
	for left := n; left != 0; {
		day += step
		if c.business(day) {
			left -= int(step)
		}
	}
	y, m, d := time.Unix(day*86400, 0).UTC().Date()
	hh, mm, ss := start.Clock()
	return time.Date(y, m, d, hh, mm, ss, start.Nanosecond(), start.Location())
}

// Between counts business day numbers in the half-open range of day numbers.
func Between(from, to time.Time, holidays []time.Time) int {
	c := newCalendar(holidays)
	a, b := dayNumber(from), dayNumber(to.In(from.Location()))
	lo, hi, sign := a, b, 1
	if b < a {
		lo, hi, sign = b, a, -1
	}
	count := 0
	for day := lo + 1; day <= hi; day++ {
		if c.business(day) {
			count++
		}
	}
	return sign * count
}
