package roman_test

import (
	"testing"

	"gotasks/roman"
)

var known = []struct {
	n int
	s string
}{
	{1, "I"}, {3, "III"}, {4, "IV"}, {9, "IX"}, {14, "XIV"}, {40, "XL"}, {90, "XC"}, {400, "CD"},
	{944, "CMXLIV"}, {1994, "MCMXCIV"}, {2024, "MMXXIV"}, {3999, "MMMCMXCIX"},
}

func TestToRoman(t *testing.T) {
	for _, c := range known {
		if got, err := roman.ToRoman(c.n); err != nil || got != c.s {
			t.Errorf("ToRoman(%d) = %q, %v; want %q", c.n, got, err, c.s)
		}
	}
}

func TestToRomanRange(t *testing.T) {
	for _, n := range []int{0, -1, 4000, 10000} {
		if got, err := roman.ToRoman(n); err == nil {
			t.Errorf("ToRoman(%d) = %q with no error, want an error", n, got)
		}
	}
}

func TestFromRoman(t *testing.T) {
	for _, c := range known {
		if got, err := roman.FromRoman(c.s); err != nil || got != c.n {
			t.Errorf("FromRoman(%q) = %d, %v; want %d", c.s, got, err, c.n)
		}
	}
}

func TestFromRomanRejects(t *testing.T) {
	for _, s := range []string{"", "IIII", "IC", "VV", "iv", "MMMM", "IIX", "XM", "A", "VX"} {
		if got, err := roman.FromRoman(s); err == nil {
			t.Errorf("FromRoman(%q) = %d with no error, want an error", s, got)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for n := 1; n <= 3999; n++ {
		s, err := roman.ToRoman(n)
		if err != nil {
			t.Fatalf("ToRoman(%d): %v", n, err)
		}
		if back, err := roman.FromRoman(s); err != nil || back != n {
			t.Fatalf("FromRoman(ToRoman(%d) = %q) = %d, %v", n, s, back, err)
		}
	}
}
