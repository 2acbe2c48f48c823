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
	days := int(to.Sub(from).Hours() / 24)
	sign := 1
	start := from
	if days < 0 {
		days, sign, start = -days, -1, to
	}
	count := 0
	for i := 1; i <= days; i++ {
		if isBusiness(start.AddDate(0, 0, i), holidays) {
			count++
		}
	}
	return sign * count
}
