package businessdays

import "time"

func isHoliday(d time.Time, holidays []time.Time) bool {
	y, m, day := d.Date()
	for _, h := range holidays {
		if hy, hm, hd := h.Date(); hy == y && hm == m && hd == day {
			return true
		}
	}
	return false
}

func isBusiness(d time.Time, holidays []time.Time) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !isHoliday(d, holidays)
}

// Add steps calendar days with AddDate, which keeps the wall-clock time across DST changes.
func Add(start time.Time, n int, holidays []time.Time) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := start
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if isBusiness(d, holidays) {
			n--
		}
	}
	return d
}

// Between counts business days over calendar dates, walked at noon UTC.
func Between(from, to time.Time, holidays []time.Time) int {
	fy, fm, fd := from.UTC().Date()
	ty, tm, td := to.UTC().Date()
	a := time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC)
	b := time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC)
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	count := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if isBusiness(d, holidays) {
			count++
		}
	}
	return sign * count
}
