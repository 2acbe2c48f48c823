package reltime

import (
	"fmt"
	"strings"
	"time"
)

var units = []struct {
	size time.Duration
	name string
}{
	{24 * time.Hour, "day"},
	{time.Hour, "hour"},
	{time.Minute, "minute"},
}

// Relative picks the largest unit that fits in |now - t| from a table.
func Relative(t, now time.Time) string {
	d := now.Sub(t)
	ago := d >= 0
	d = max(d, -d)
	for _, u := range units {
		n := d / u.size
		if n < 1 {
			continue
		}
		text := fmt.Sprintf("%d %s", n, u.name)
		if n != 1 {
			text += "s"
		}
		if ago {
			return text + " ago"
		}
		return "in " + text
	}
	return "just now"
}

// Stamp assembles the fields of t in loc one by one.
func Stamp(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	_, offset := t.Zone()
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d (%s)",
		t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(),
		sign, offset/3600, offset/60%60, t.Weekday().String()[:3])
}

// ParseStamp parses the date, time and offset, then checks the weekday in parentheses.
func ParseStamp(s string) (time.Time, error) {
	main, day, ok := strings.Cut(s, " (")
	if !ok || !strings.HasSuffix(day, ")") {
		return time.Time{}, fmt.Errorf("reltime: %q does not end with a weekday in parentheses", s)
	}
	t, err := time.Parse("2006-01-02 15:04:05 -0700", main)
	if err != nil {
		return time.Time{}, err
	}
	if want := t.Weekday().String()[:3]; strings.TrimSuffix(day, ")") != want {
		return time.Time{}, fmt.Errorf("reltime: %q: the date is a %s", s, want)
	}
	return t, nil
}
