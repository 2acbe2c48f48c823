package durfmt

import (
	"fmt"
	"strings"
	"time"
)

// Format returns d as a short human string (see the rules in the task).
func Format(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d < 0:
		return "-" + Format(-d)
	case d >= time.Minute:
		var b strings.Builder
		h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
		for _, part := range []struct {
			n    time.Duration
			unit string
		}{{h, "h"}, {m, "m"}, {s, "s"}} {
			if part.n > 0 || b.Len() > 0 {
				fmt.Fprintf(&b, "%d%s", part.n, part.unit)
			}
		}
		return b.String()
	case d >= time.Second:
		tenths := d / (100 * time.Millisecond)
		if tenths%10 == 0 {
			return fmt.Sprintf("%ds", tenths/10)
		}
		return fmt.Sprintf("%d.%ds", tenths/10, tenths%10)
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	case d >= time.Microsecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	}
	return fmt.Sprintf("%dns", int64(d))
}
