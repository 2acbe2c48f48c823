package reltime

import (
	"fmt"
	"time"
)

const layout = "2006-01-02 15:04:05 -0700 (Mon)"

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Relative describes t as seen at now.
func Relative(t, now time.Time) string {
	d := now.Sub(t)
	past := d >= 0
	if !past {
		d = -d
	}
	var text string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		text = plural(int64(d/time.Minute), "minute")
	case d < 24*time.Hour:
		text = plural(int64(d/time.Hour), "hour")
	default:
		text = plural(int64(d/(24*time.Hour)), "day")
	}
	if past {
		return text + " ago"
	}
	return "in " + text
}

// Stamp formats t in loc.
func Stamp(t time.Time, loc *time.Location) string {
	return t.Format(layout)
}

// ParseStamp parses Stamp's output.
func ParseStamp(s string) (time.Time, error) {
	return time.Parse(layout, s)
}
