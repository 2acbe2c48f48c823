package durfmt_test

import (
	"testing"
	"time"

	"gotasks/durfmt"
)

func check(t *testing.T, cases map[time.Duration]string) {
	t.Helper()
	for d, want := range cases {
		if got := durfmt.Format(d); got != want {
			t.Errorf("Format(%v) = %q, want %q", time.Duration(d), got, want)
		}
	}
}

const (
	h  = time.Hour
	m  = time.Minute
	s  = time.Second
	ms = time.Millisecond
	us = time.Microsecond
)

func TestZero(t *testing.T) {
	check(t, map[time.Duration]string{0: "0s"})
}

func TestHoursMinutesSeconds(t *testing.T) {
	check(t, map[time.Duration]string{
		h + 2*m:              "1h2m",
		90 * m:               "1h30m",
		26 * h:               "26h",
		h + 5*s:              "1h5s",
		61 * s:               "1m1s",
		m:                    "1m",
		59*m + 59*s + 999*ms: "59m59s",
		2*h + 500*ms:         "2h",
		100*h + 10*m + 10*s:  "100h10m10s",
	})
}

func TestSeconds(t *testing.T) {
	check(t, map[time.Duration]string{
		s:                   "1s",
		3*s + 500*ms:        "3.5s",
		59*s + 990*ms:       "59.9s",
		3*s + 40*ms:         "3s",
		3*s + 99*ms:         "3s",
		10*s + 250*ms:       "10.2s",
		m - time.Nanosecond: "59.9s",
		7*s + 100*ms:        "7.1s",
	})
}

func TestSubSecond(t *testing.T) {
	check(t, map[time.Duration]string{
		250 * ms:        "250ms",
		999*ms + 900*us: "999ms",
		ms:              "1ms",
		15 * us:         "15µs",
		1500:            "1µs",
		999:             "999ns",
		1:               "1ns",
	})
}

func TestNegative(t *testing.T) {
	check(t, map[time.Duration]string{
		-90 * m:         "-1h30m",
		-(3*s + 500*ms): "-3.5s",
		-250 * ms:       "-250ms",
		-1:              "-1ns",
	})
}
