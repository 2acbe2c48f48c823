package cronnext_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"gotasks/cronnext"
)

const layout = "Mon 2006-01-02 15:04:05 MST"

func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func parse(t *testing.T, spec string) *cronnext.Schedule {
	t.Helper()
	s, err := cronnext.Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return s
}

// sequence checks the successive Next times from start.
func sequence(t *testing.T, spec string, start time.Time, want ...time.Time) {
	t.Helper()
	s := parse(t, spec)
	at := start
	for i, w := range want {
		got := s.Next(at)
		if !got.Equal(w) || got.Location() != w.Location() {
			t.Errorf("%q: Next #%d after %s = %s, want %s", spec, i+1, at.Format(layout), got.Format(layout), w.Format(layout))
			return
		}
		at = got
	}
}

func TestParseErrors(t *testing.T) {
	for _, spec := range []string{
		"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *",
		"* * * 0 *", "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "1,,2 * * * *",
		"a * * * *", "5/15 * * * *", "-1 * * * *", "1-2-3 * * * *", "*/ * * * *", "1- * * * *",
		"+5 * * * *", "* * * JAN *", "* * ? * *", "1-70/5 * * * *",
	} {
		if _, err := cronnext.Parse(spec); err == nil {
			t.Errorf("Parse(%q) gave no error", spec)
		}
	}
}

func TestEveryMinute(t *testing.T) {
	s := parse(t, "* * * * *")
	for _, c := range []struct{ at, want time.Time }{
		{time.Date(2024, 6, 3, 10, 15, 30, 5, time.UTC), utc(2024, 6, 3, 10, 16)},
		{utc(2024, 6, 3, 10, 15), utc(2024, 6, 3, 10, 16)},
		{utc(2024, 12, 31, 23, 59), utc(2025, 1, 1, 0, 0)},
	} {
		if got := s.Next(c.at); !got.Equal(c.want) {
			t.Errorf("Next(%s) = %s, want %s", c.at.Format(layout), got.Format(layout), c.want.Format(layout))
		}
	}
}

func TestFixedTimes(t *testing.T) {
	sequence(t, "30 9 * * *", utc(2024, 6, 3, 10, 0), utc(2024, 6, 4, 9, 30), utc(2024, 6, 5, 9, 30))
	sequence(t, "30 9 * * *", utc(2024, 6, 3, 9, 29), utc(2024, 6, 3, 9, 30))
	sequence(t, "30 9 * * *", utc(2024, 6, 3, 9, 30), utc(2024, 6, 4, 9, 30))
	sequence(t, "0 0 1 1 *", utc(2024, 12, 31, 23, 59), utc(2025, 1, 1, 0, 0), utc(2026, 1, 1, 0, 0))
	sequence(t, "15 14 1 * *", utc(2024, 1, 31, 0, 0), utc(2024, 2, 1, 14, 15), utc(2024, 3, 1, 14, 15))
	sequence(t, "0  12   *  *  *", utc(2024, 6, 3, 0, 0), utc(2024, 6, 3, 12, 0))
}

func TestRangesStepsLists(t *testing.T) {
	sequence(t, "*/15 9-10 * * *", utc(2024, 6, 3, 10, 40),
		utc(2024, 6, 3, 10, 45), utc(2024, 6, 4, 9, 0), utc(2024, 6, 4, 9, 15))
	sequence(t, "5,10,50-52 * * * *", utc(2024, 6, 3, 8, 7),
		utc(2024, 6, 3, 8, 10), utc(2024, 6, 3, 8, 50), utc(2024, 6, 3, 8, 51), utc(2024, 6, 3, 8, 52), utc(2024, 6, 3, 9, 5))
	sequence(t, "5-59/20 */6 * * *", utc(2024, 6, 3, 6, 30),
		utc(2024, 6, 3, 6, 45), utc(2024, 6, 3, 12, 5), utc(2024, 6, 3, 12, 25))
	sequence(t, "0 0 * 2-12/5 *", utc(2024, 1, 15, 0, 0),
		utc(2024, 2, 1, 0, 0), utc(2024, 2, 2, 0, 0))
	sequence(t, "0 0 1 2-12/5 *", utc(2024, 2, 15, 0, 0),
		utc(2024, 7, 1, 0, 0), utc(2024, 12, 1, 0, 0), utc(2025, 2, 1, 0, 0))
	sequence(t, "0 0 */10 * *", utc(2024, 1, 1, 0, 0),
		utc(2024, 1, 11, 0, 0), utc(2024, 1, 21, 0, 0), utc(2024, 1, 31, 0, 0), utc(2024, 2, 1, 0, 0))
}

func TestSunday(t *testing.T) {
	// 2024-06-03 is a Monday.
	sequence(t, "0 12 * * 0", utc(2024, 6, 3, 0, 0), utc(2024, 6, 9, 12, 0), utc(2024, 6, 16, 12, 0))
	sequence(t, "0 12 * * 7", utc(2024, 6, 3, 0, 0), utc(2024, 6, 9, 12, 0), utc(2024, 6, 16, 12, 0))
	sequence(t, "0 12 * * 5-7", utc(2024, 6, 3, 0, 0), utc(2024, 6, 7, 12, 0), utc(2024, 6, 8, 12, 0), utc(2024, 6, 9, 12, 0), utc(2024, 6, 14, 12, 0))
	sequence(t, "0 12 * * 1,3", utc(2024, 6, 3, 12, 0), utc(2024, 6, 5, 12, 0), utc(2024, 6, 10, 12, 0))
}

func TestDayOfMonthOrWeek(t *testing.T) {
	// 2024-09-06 and 2024-09-13 are Fridays; 2024-10-13 is a Sunday.
	sequence(t, "0 0 13 * 5", utc(2024, 9, 1, 0, 0),
		utc(2024, 9, 6, 0, 0), utc(2024, 9, 13, 0, 0), utc(2024, 9, 20, 0, 0), utc(2024, 9, 27, 0, 0),
		utc(2024, 10, 4, 0, 0), utc(2024, 10, 11, 0, 0), utc(2024, 10, 13, 0, 0), utc(2024, 10, 18, 0, 0))
	sequence(t, "0 0 1,15 * 1-5", utc(2024, 6, 7, 1, 0), // Fri, then Mon 10 ... and Sat 15
		utc(2024, 6, 10, 0, 0), utc(2024, 6, 11, 0, 0), utc(2024, 6, 12, 0, 0), utc(2024, 6, 13, 0, 0), utc(2024, 6, 14, 0, 0), utc(2024, 6, 15, 0, 0), utc(2024, 6, 17, 0, 0))
}

func TestStarMeansBoth(t *testing.T) {
	// "*/10" starts with "*", so a day must be 1, 11, 21 or 31 AND a Monday.
	sequence(t, "0 0 */10 * 1", utc(2024, 1, 1, 0, 0), utc(2024, 3, 11, 0, 0))
	sequence(t, "0 0 * * 1", utc(2024, 1, 1, 0, 0), utc(2024, 1, 8, 0, 0))
	sequence(t, "0 0 13 * *", utc(2024, 9, 1, 0, 0), utc(2024, 9, 13, 0, 0), utc(2024, 10, 13, 0, 0))
	// Day of week "*/2" (Sunday, Tuesday, Thursday, Saturday) with the 13th: both must hold.
	sequence(t, "0 0 13 * */2", utc(2024, 9, 1, 0, 0), utc(2024, 10, 13, 0, 0))
}

func TestLeapDayAndNever(t *testing.T) {
	sequence(t, "0 0 29 2 *", utc(2025, 3, 1, 0, 0), utc(2028, 2, 29, 0, 0), utc(2032, 2, 29, 0, 0))
	for _, spec := range []string{"0 0 30 2 *", "0 0 31 4,6,9,11 *"} {
		if got := parse(t, spec).Next(utc(2024, 1, 1, 0, 0)); !got.IsZero() {
			t.Errorf("%q: Next = %s, want the zero time", spec, got.Format(layout))
		}
	}
	// With a restricted day of week, day 30 of February is not needed: any Monday in February.
	sequence(t, "0 0 30 2 1", utc(2024, 1, 1, 0, 0), utc(2024, 2, 5, 0, 0))
}

func TestLocationAndDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
		return time.Date(y, m, d, hh, mm, 0, 0, loc)
	}
	sequence(t, "0 9 * * *", at(tokyo, 2024, 6, 3, 8, 0), at(tokyo, 2024, 6, 3, 9, 0), at(tokyo, 2024, 6, 4, 9, 0))
	sequence(t, "0 9 * * 1", utc(2024, 6, 2, 23, 0).In(tokyo), at(tokyo, 2024, 6, 3, 9, 0))
	// 02:30 does not exist on 2024-03-10 in New York.
	sequence(t, "30 2 * * *", at(ny, 2024, 3, 9, 3, 0), at(ny, 2024, 3, 11, 2, 30))
	sequence(t, "0 9 * * *", at(ny, 2024, 3, 9, 10, 0), at(ny, 2024, 3, 10, 9, 0), at(ny, 2024, 3, 11, 9, 0))
	// 01:30 happens twice on 2024-11-03: first in EDT, then an hour later in EST.
	first := at(ny, 2024, 11, 3, 1, 30)
	if _, off := first.Zone(); off != -4*3600 {
		first = first.Add(-time.Hour)
	}
	sequence(t, "30 1 * * *", at(ny, 2024, 11, 3, 0, 0), first, first.Add(time.Hour), at(ny, 2024, 11, 4, 1, 30))
}
