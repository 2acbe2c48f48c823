package durfmt

import (
	"strconv"
	"time"
)

var small = []struct {
	size time.Duration
	name string
}{{time.Millisecond, "ms"}, {time.Microsecond, "µs"}, {1, "ns"}}

func Format(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	out := ""
	switch {
	case d >= time.Minute:
		n := int64(d / time.Second)
		for _, u := range []struct {
			secs int64
			name string
		}{{3600, "h"}, {60, "m"}, {1, "s"}} {
			if q := n / u.secs; q > 0 {
				out += strconv.FormatInt(q, 10) + u.name
				n -= q * u.secs
			}
		}
	case d >= time.Second:
		whole, tenth := int64(d/time.Second), int64(d%time.Second/(time.Second/10))
		out = strconv.FormatInt(whole, 10)
		if tenth != 0 {
			out += "." + strconv.FormatInt(tenth, 10)
		}
		out += "s"
	default:
		for _, u := range small {
			if d >= u.size {
				out = strconv.FormatInt(int64(d/u.size), 10) + u.name
				break
			}
		}
	}
	return sign + out
}
