package businessdays_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"gotasks/businessdays"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func at(y int, m time.Month, d, hh, mm int, loc *time.Location) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

const layout = "Mon 2006-01-02 15:04 MST"

func TestAddWeekdays(t *testing.T) {
	// 2024-06-03 is a Monday.
	for _, c := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{at(2024, 6, 3, 9, 0, time.UTC), 1, at(2024, 6, 4, 9, 0, time.UTC)},
		{at(2024, 6, 3, 9, 0, time.UTC), 4, at(2024, 6, 7, 9, 0, time.UTC)},
		{at(2024, 6, 7, 17, 45, time.UTC), 1, at(2024, 6, 10, 17, 45, time.UTC)},
		{at(2024, 6, 7, 8, 0, time.UTC), 5, at(2024, 6, 14, 8, 0, time.UTC)},
		{at(2024, 6, 5, 12, 0, time.UTC), 10, at(2024, 6, 19, 12, 0, time.UTC)},
		{at(2024, 6, 5, 12, 0, time.UTC), 0, at(2024, 6, 5, 12, 0, time.UTC)},
		{at(2024, 12, 30, 10, 0, time.UTC), 3, at(2025, 1, 2, 10, 0, time.UTC)},
	} {
		if got := businessdays.Add(c.start, c.n, nil); !got.Equal(c.want) {
			t.Errorf("Add(%s, %d) = %s, want %s", c.start.Format(layout), c.n, got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestAddFromWeekend(t *testing.T) {
	for _, c := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{at(2024, 6, 8, 10, 0, time.UTC), 1, at(2024, 6, 10, 10, 0, time.UTC)},
		{at(2024, 6, 9, 10, 0, time.UTC), 1, at(2024, 6, 10, 10, 0, time.UTC)},
		{at(2024, 6, 9, 10, 0, time.UTC), 5, at(2024, 6, 14, 10, 0, time.UTC)},
		{at(2024, 6, 8, 10, 0, time.UTC), 0, at(2024, 6, 8, 10, 0, time.UTC)},
		{at(2024, 6, 8, 10, 0, time.UTC), -1, at(2024, 6, 7, 10, 0, time.UTC)},
	} {
		if got := businessdays.Add(c.start, c.n, nil); !got.Equal(c.want) {
			t.Errorf("Add(%s, %d) = %s, want %s", c.start.Format(layout), c.n, got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestAddNegative(t *testing.T) {
	for _, c := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{at(2024, 6, 10, 9, 0, time.UTC), -1, at(2024, 6, 7, 9, 0, time.UTC)},
		{at(2024, 6, 12, 9, 0, time.UTC), -2, at(2024, 6, 10, 9, 0, time.UTC)},
		{at(2024, 6, 12, 9, 0, time.UTC), -5, at(2024, 6, 5, 9, 0, time.UTC)},
		{at(2025, 1, 2, 9, 0, time.UTC), -3, at(2024, 12, 30, 9, 0, time.UTC)},
	} {
		if got := businessdays.Add(c.start, c.n, nil); !got.Equal(c.want) {
			t.Errorf("Add(%s, %d) = %s, want %s", c.start.Format(layout), c.n, got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestHolidays(t *testing.T) {
	ny := zone(t, "America/New_York")
	xmas := []time.Time{day(2024, 12, 25), day(2024, 12, 26), day(2025, 1, 1), day(2024, 12, 28)}
	for _, c := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{at(2024, 12, 24, 9, 30, time.UTC), 1, at(2024, 12, 27, 9, 30, time.UTC)},
		{at(2024, 12, 24, 9, 30, time.UTC), 2, at(2024, 12, 30, 9, 30, time.UTC)},
		{at(2024, 12, 24, 9, 30, time.UTC), 4, at(2025, 1, 2, 9, 30, time.UTC)},
		{at(2024, 12, 27, 9, 30, time.UTC), -1, at(2024, 12, 24, 9, 30, time.UTC)},
		{at(2024, 12, 24, 18, 0, ny), 1, at(2024, 12, 27, 18, 0, ny)},
		{at(2024, 12, 31, 23, 0, ny), 1, at(2025, 1, 2, 23, 0, ny)},
	} {
		if got := businessdays.Add(c.start, c.n, xmas); !got.Equal(c.want) || got.Location() != c.start.Location() {
			t.Errorf("Add(%s, %d, xmas) = %s, want %s", c.start.Format(layout), c.n, got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestAcrossDST(t *testing.T) {
	ny, berlin := zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	for _, c := range []struct {
		start time.Time
		n     int
		want  time.Time
	}{
		{at(2024, 3, 8, 9, 30, ny), 1, at(2024, 3, 11, 9, 30, ny)},  // clocks go forward on Sunday March 10
		{at(2024, 11, 1, 9, 30, ny), 1, at(2024, 11, 4, 9, 30, ny)}, // and back on Sunday November 3
		{at(2024, 3, 11, 0, 15, ny), -1, at(2024, 3, 8, 0, 15, ny)}, // backwards over the change
		{at(2024, 3, 29, 23, 30, berlin), 1, at(2024, 4, 1, 23, 30, berlin)},
		{at(2024, 10, 25, 0, 30, berlin), 6, at(2024, 11, 4, 0, 30, berlin)},
	} {
		got := businessdays.Add(c.start, c.n, nil)
		if !got.Equal(c.want) || got.Location() != c.start.Location() {
			t.Errorf("Add(%s, %d) = %s, want %s", c.start.Format(layout), c.n, got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestBetween(t *testing.T) {
	hol := []time.Time{day(2024, 12, 25), day(2024, 12, 26)}
	for _, c := range []struct {
		from, to time.Time
		want     int
	}{
		{at(2024, 6, 3, 9, 0, time.UTC), at(2024, 6, 3, 17, 0, time.UTC), 0},
		{at(2024, 6, 3, 9, 0, time.UTC), at(2024, 6, 4, 8, 0, time.UTC), 1},
		{at(2024, 6, 7, 9, 0, time.UTC), at(2024, 6, 10, 9, 0, time.UTC), 1},
		{at(2024, 6, 7, 9, 0, time.UTC), at(2024, 6, 9, 9, 0, time.UTC), 0},
		{at(2024, 6, 8, 9, 0, time.UTC), at(2024, 6, 14, 9, 0, time.UTC), 5},
		{at(2024, 6, 3, 9, 0, time.UTC), at(2024, 7, 1, 9, 0, time.UTC), 20},
		{at(2024, 6, 10, 9, 0, time.UTC), at(2024, 6, 7, 9, 0, time.UTC), -1},
		{at(2024, 6, 14, 9, 0, time.UTC), at(2024, 6, 8, 9, 0, time.UTC), -5},
		{at(2024, 12, 23, 9, 0, time.UTC), at(2024, 12, 31, 9, 0, time.UTC), 4},
		{at(2024, 12, 31, 9, 0, time.UTC), at(2024, 12, 23, 9, 0, time.UTC), -4},
	} {
		if got := businessdays.Between(c.from, c.to, hol); got != c.want {
			t.Errorf("Between(%s, %s) = %d, want %d", c.from.Format(layout), c.to.Format(layout), got, c.want)
		}
	}
}

func TestBetweenClockAndZone(t *testing.T) {
	ny, tokyo := zone(t, "America/New_York"), zone(t, "Asia/Tokyo")
	for _, c := range []struct {
		from, to time.Time
		want     int
	}{
		{at(2024, 6, 3, 23, 0, time.UTC), at(2024, 6, 4, 1, 0, time.UTC), 1},
		{at(2024, 6, 3, 1, 0, time.UTC), at(2024, 6, 4, 23, 0, time.UTC), 1},
		{at(2024, 3, 8, 9, 0, ny), at(2024, 3, 11, 8, 0, ny), 1}, // a 23-hour Sunday in between
		{at(2024, 3, 4, 12, 0, ny), at(2024, 3, 18, 11, 0, ny), 10},
		{at(2024, 11, 1, 9, 0, ny), at(2024, 11, 4, 8, 30, ny), 1},
		{at(2024, 6, 4, 20, 0, ny), at(2024, 6, 5, 8, 0, tokyo), 0}, // 19:00 on the 4th in New York
		{at(2024, 6, 4, 8, 0, tokyo), at(2024, 6, 4, 12, 0, ny), 1}, // 01:00 on the 5th in Tokyo
	} {
		if got := businessdays.Between(c.from, c.to, nil); got != c.want {
			t.Errorf("Between(%s, %s) = %d, want %d", c.from.Format(layout), c.to.Format(layout), got, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	ny := zone(t, "America/New_York")
	hol := []time.Time{day(2024, 3, 12), day(2024, 11, 5), day(2024, 11, 28)}
	for _, start := range []time.Time{at(2024, 3, 1, 7, 5, ny), at(2024, 10, 21, 16, 40, ny), at(2024, 11, 27, 12, 0, ny)} {
		for n := -25; n <= 25; n++ {
			end := businessdays.Add(start, n, hol)
			if got := businessdays.Between(start, end, hol); got != n {
				t.Errorf("Between(%s, Add(_, %d) = %s) = %d", start.Format(layout), n, end.Format(layout), got)
			}
			if h, m, _ := end.Clock(); h != start.Hour() || m != start.Minute() {
				t.Errorf("Add(%s, %d) = %s: the clock time changed", start.Format(layout), n, end.Format(layout))
			}
		}
	}
}
