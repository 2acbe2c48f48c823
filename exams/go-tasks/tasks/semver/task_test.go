package semver_test

import (
	"errors"
	"slices"
	"testing"

	"gotasks/semver"
)

func mustParse(t *testing.T, s string) semver.Version {
	t.Helper()
	v, err := semver.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		s                   string
		major, minor, patch uint64
		pre, build          []string
	}{
		{"1.2.3", 1, 2, 3, nil, nil},
		{"0.0.0", 0, 0, 0, nil, nil},
		{"10.20.30", 10, 20, 30, nil, nil},
		{"1.0.0-alpha", 1, 0, 0, []string{"alpha"}, nil},
		{"1.0.0-rc.1+build.5", 1, 0, 0, []string{"rc", "1"}, []string{"build", "5"}},
		{"1.0.0+001", 1, 0, 0, nil, []string{"001"}},
		{"1.0.0-x-y-z.--", 1, 0, 0, []string{"x-y-z", "--"}, nil},
		{"1.0.0-0a.0.A-1+sha.5114f85", 1, 0, 0, []string{"0a", "0", "A-1"}, []string{"sha", "5114f85"}},
		{"18446744073709551615.0.1", 18446744073709551615, 0, 1, nil, nil},
	} {
		v, err := semver.Parse(c.s)
		if err != nil || v.Major != c.major || v.Minor != c.minor || v.Patch != c.patch || !slices.Equal(v.Pre, c.pre) || !slices.Equal(v.Build, c.build) {
			t.Errorf("Parse(%q) = %+v, %v", c.s, v, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, s := range []string{
		"", "1", "1.2", "1.2.3.4", "v1.2.3", " 1.2.3", "1.2.3 ", "01.2.3", "1.02.3", "1.2.03",
		"1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3+a..b", "1.2.3-01", "1.2.3-a.007", "1.2.3-é",
		"1.2.3+b+c", "1.2.3-a_b", "-1.2.3", "1.-2.3", "1.2.x", "18446744073709551616.0.0", "1..3",
	} {
		if v, err := semver.Parse(s); !errors.Is(err, semver.ErrInvalid) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrInvalid", s, v, err)
		}
	}
}

func TestString(t *testing.T) {
	for _, s := range []string{"1.2.3", "0.0.0-0", "1.0.0-rc.1+build.5", "1.0.0+001", "2.0.0-x-y-z.--+meta-data"} {
		if got := mustParse(t, s).String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
	v := semver.Version{Major: 3, Minor: 1, Patch: 4, Pre: []string{"beta", "2"}}
	if got := v.String(); got != "3.1.4-beta.2" {
		t.Errorf("String() = %q, want 3.1.4-beta.2", got)
	}
}

// ascending lists versions in strictly increasing precedence.
var ascending = []string{
	"0.0.1", "0.1.0", "0.9.0", "0.10.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10",
	"1.0.0-A", "1.0.0-Z", "1.0.0-a",
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1-rc.1", "1.0.1", "1.2.0", "1.10.0", "2.0.0",
	"10.0.0", "18446744073709551615.0.0",
}

func compare(t *testing.T, a, b string) int {
	t.Helper()
	return semver.Compare(mustParse(t, a), mustParse(t, b))
}

func TestCompareCore(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0.0", "2.0.0", -1}, {"2.0.0", "2.1.0", -1}, {"2.1.1", "2.1.0", 1}, {"1.10.0", "1.9.0", 1},
		{"1.2.3", "1.2.3", 0}, {"0.0.10", "0.0.9", 1}, {"3.0.0", "2.99.99", 1},
	} {
		if got := compare(t, c.a, c.b); got != c.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestComparePrerelease(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.0.0-alpha", "1.0.0", -1}, {"1.0.0", "1.0.0-rc.1", 1}, {"1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"1.0.0-alpha", "1.0.0-alpha.1", -1}, {"1.0.0-alpha.1", "1.0.0-alpha", 1},
		{"1.0.0-1", "1.0.0-a", -1}, {"1.0.0-a", "1.0.0-1", 1}, {"1.0.0-2", "1.0.0-10", -1},
		{"1.0.0-rc.1", "1.0.0-rc.1", 0}, {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0-99999999999999999999", "1.0.0-100000000000000000000", -1},
		{"2.0.0-rc.1", "1.9.9", 1},
	} {
		if got := compare(t, c.a, c.b); got != c.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestCompareAll(t *testing.T) {
	for i, a := range ascending {
		for j, b := range ascending {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compare(t, a, b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestBuildIgnored(t *testing.T) {
	for _, c := range [][2]string{{"1.0.0+a", "1.0.0+b"}, {"1.0.0", "1.0.0+20130313144700"}, {"1.0.0-rc.1+x", "1.0.0-rc.1+y.z"}} {
		if got := compare(t, c[0], c[1]); got != 0 {
			t.Errorf("Compare(%s, %s) = %d, want 0", c[0], c[1], got)
		}
	}
	if got := compare(t, "1.0.0-rc.1+zzz", "1.0.0-rc.2+aaa"); got != -1 {
		t.Errorf("Compare(1.0.0-rc.1+zzz, 1.0.0-rc.2+aaa) = %d, want -1", got)
	}
}
