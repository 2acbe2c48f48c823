package reltime_test

import (
	"testing"
	"time"

	"gotasks/reltime"
)

var now = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

func check(t *testing.T, cases map[time.Duration]string) {
	t.Helper()
	for ago, want := range cases {
		if got := reltime.Relative(now.Add(-ago), now); got != want {
			t.Errorf("Relative(now - %v) = %q, want %q", ago, got, want)
		}
	}
}

func TestPast(t *testing.T) {
	check(t, map[time.Duration]string{
		0: "just now", 30 * time.Second: "just now", 5 * time.Minute: "5 minutes ago",
		3 * time.Hour: "3 hours ago", 72 * time.Hour: "3 days ago", 400 * 24 * time.Hour: "400 days ago",
	})
}

func TestFuture(t *testing.T) {
	check(t, map[time.Duration]string{
		-10 * time.Second: "just now", -2 * time.Minute: "in 2 minutes", -5 * time.Hour: "in 5 hours", -48 * time.Hour: "in 2 days",
	})
}

func TestSingular(t *testing.T) {
	check(t, map[time.Duration]string{
		90 * time.Second: "1 minute ago", 119 * time.Minute: "1 hour ago", 47 * time.Hour: "1 day ago", -61 * time.Minute: "in 1 hour",
	})
}

func TestBoundaries(t *testing.T) {
	check(t, map[time.Duration]string{
		59*time.Second + 999*time.Millisecond: "just now", time.Minute: "1 minute ago", time.Hour: "1 hour ago",
		24 * time.Hour: "1 day ago", -time.Minute: "in 1 minute", 59 * time.Minute: "59 minutes ago",
	})
}

func TestStamp(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tokyo := time.FixedZone("JST", 9*3600)
	at := time.Date(2024, 3, 10, 8, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{{paris, "2024-03-10 09:05:00 +0100 (Sun)"}, {tokyo, "2024-03-10 17:05:00 +0900 (Sun)"}, {time.UTC, "2024-03-10 08:05:00 +0000 (Sun)"}} {
		if got := reltime.Stamp(at, c.loc); got != c.want {
			t.Errorf("Stamp(%v, %v) = %q, want %q", at, c.loc, got, c.want)
		}
	}
	late := time.Date(2024, 12, 31, 23, 30, 0, 0, time.UTC)
	if got, want := reltime.Stamp(late, tokyo), "2025-01-01 08:30:00 +0900 (Wed)"; got != want {
		t.Errorf("Stamp across new year = %q, want %q", got, want)
	}
}

func TestStampRoundTrip(t *testing.T) {
	at := time.Date(2023, 7, 4, 23, 59, 58, 0, time.UTC)
	s := reltime.Stamp(at, time.FixedZone("X", -5*3600))
	if s != "2023-07-04 18:59:58 -0500 (Tue)" {
		t.Errorf("Stamp = %q", s)
	}
	back, err := reltime.ParseStamp(s)
	if err != nil || !back.Equal(at) {
		t.Errorf("ParseStamp(%q) = %v, %v; want %v", s, back, err, at)
	}
	if _, err := reltime.ParseStamp("2023-07-04 18:59:58"); err == nil {
		t.Errorf("ParseStamp accepted a stamp without offset and weekday")
	}
}
