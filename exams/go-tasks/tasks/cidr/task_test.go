package cidr_test

import (
	"reflect"
	"testing"

	"gotasks/cidr"
)

func TestContains(t *testing.T) {
	for _, c := range []struct {
		prefix, addr string
		want         bool
	}{
		{"10.0.0.0/8", "10.255.1.2", true},
		{"10.0.0.0/8", "11.0.0.0", false},
		{"192.168.1.0/24", "192.168.1.255", true},
		{"192.168.1.0/24", "192.168.2.0", false},
		{"192.168.1.77/24", "192.168.1.3", true},
		{"10.1.2.3/8", "10.200.0.1", true},
		{"1.2.3.4/32", "1.2.3.4", true},
		{"1.2.3.4/32", "1.2.3.5", false},
		{"0.0.0.0/0", "203.0.113.9", true},
		{"2001:db8::/32", "2001:db8:ffff::1", true},
		{"2001:db8::/32", "2001:db9::", false},
		{"2001:db8::1/48", "2001:db8:0:ffff::", true},
		{"::/0", "fe80::1", true},
	} {
		got, err := cidr.Contains(c.prefix, c.addr)
		if err != nil || got != c.want {
			t.Errorf("Contains(%q, %q) = %v, %v; want %v", c.prefix, c.addr, got, err, c.want)
		}
	}
}

func TestContainsFamilies(t *testing.T) {
	for _, c := range [][2]string{
		{"10.0.0.0/8", "::ffff:10.1.2.3"},
		{"0.0.0.0/0", "::1"},
		{"::/0", "10.0.0.1"},
		{"::ffff:0:0/96", "10.0.0.1"},
	} {
		got, err := cidr.Contains(c[0], c[1])
		if err != nil || got {
			t.Errorf("Contains(%q, %q) = %v, %v; want false", c[0], c[1], got, err)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, c := range [][2]string{
		{"10.0.0.0/33", "10.0.0.1"},
		{"10.0.0.0", "10.0.0.1"},
		{"abc/8", "10.0.0.1"},
		{"10.0.0.0/8", "10.0.0.256"},
		{"10.0.0.0/8", ""},
		{"2001:db8::/129", "2001:db8::1"},
	} {
		if _, err := cidr.Contains(c[0], c[1]); err == nil {
			t.Errorf("Contains(%q, %q) gave no error", c[0], c[1])
		}
	}
	if _, err := cidr.Overlaps("10.0.0.0/8", "10.0.0.0/40"); err == nil {
		t.Errorf("Overlaps with a /40 IPv4 prefix gave no error")
	}
	if got, err := cidr.Merge([]string{"10.0.0.0/8", "nope"}); err == nil || got != nil {
		t.Errorf("Merge with an invalid prefix = %v, %v; want nil and an error", got, err)
	}
}

func TestOverlaps(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"10.0.0.0/8", "10.1.0.0/16", true},
		{"10.1.0.0/16", "10.0.0.0/8", true},
		{"10.0.0.0/24", "10.0.1.0/24", false},
		{"10.0.0.0/23", "10.0.1.0/24", true},
		{"10.0.1.0/24", "10.0.0.0/23", true},
		{"10.0.0.9/24", "10.0.0.200/30", true},
		{"0.0.0.0/0", "8.8.8.8/32", true},
		{"2001:db8::/32", "2001:db8:1::/48", true},
		{"2001:db8::/32", "2001:db9::/32", false},
		{"0.0.0.0/0", "::/0", false},
	} {
		got, err := cidr.Overlaps(c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("Overlaps(%q, %q) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
}

func merge(t *testing.T, in []string, want []string) {
	t.Helper()
	got, err := cidr.Merge(in)
	if err != nil || len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("Merge(%q) = %q, %v\nwant %q", in, got, err, want)
	}
}

func TestMergeHalves(t *testing.T) {
	merge(t, []string{"10.0.0.0/25", "10.0.0.128/25"}, []string{"10.0.0.0/24"})
	merge(t, []string{"10.0.0.128/25", "10.0.0.0/25"}, []string{"10.0.0.0/24"})
	merge(t, []string{"192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/24", "192.168.3.0/24"}, []string{"192.168.0.0/22"})
	merge(t, []string{"10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/31"}, []string{"10.0.0.0/30"})
	merge(t, []string{"0.0.0.0/1", "128.0.0.0/1"}, []string{"0.0.0.0/0"})
}

func TestMergeCascade(t *testing.T) {
	merge(t, []string{"10.0.0.0/25", "10.0.0.128/26", "10.0.0.192/26"}, []string{"10.0.0.0/24"})
	merge(t, []string{"10.0.0.192/26", "10.0.1.0/24", "10.0.0.0/25", "10.0.0.128/26"}, []string{"10.0.0.0/23"})
	merge(t, []string{"172.16.3.0/24", "172.16.0.0/23", "172.16.2.0/25", "172.16.2.128/25"}, []string{"172.16.0.0/22"})
}

func TestMergeNotHalves(t *testing.T) {
	// Adjacent, equal in size, but not the two halves of one prefix.
	merge(t, []string{"10.0.0.128/25", "10.0.1.0/25"}, []string{"10.0.0.128/25", "10.0.1.0/25"})
	merge(t, []string{"10.0.1.0/24", "10.0.2.0/24"}, []string{"10.0.1.0/24", "10.0.2.0/24"})
	merge(t, []string{"10.0.0.0/24", "10.0.2.0/24"}, []string{"10.0.0.0/24", "10.0.2.0/24"})
	merge(t, []string{"10.0.0.0/25", "10.0.1.0/24"}, []string{"10.0.0.0/25", "10.0.1.0/24"})
}

func TestMergeContained(t *testing.T) {
	merge(t, []string{"10.1.0.0/16", "10.0.0.0/8", "10.2.3.0/24"}, []string{"10.0.0.0/8"})
	merge(t, []string{"10.0.0.5/24", "10.0.0.0/24", "10.0.0.77/24"}, []string{"10.0.0.0/24"})
	merge(t, []string{"10.0.0.0/24", "10.0.0.0/24", "10.0.0.64/26"}, []string{"10.0.0.0/24"})
	merge(t, []string{"10.0.0.0/26", "10.0.0.0/24", "10.0.0.200/29"}, []string{"10.0.0.0/24"})
	merge(t, nil, nil)
}

func TestMergeFamilies(t *testing.T) {
	merge(t,
		[]string{"2001:db8:0:1::/64", "10.0.1.0/24", "2001:db8::/64", "2001:db8::1/128", "10.0.0.0/24", "::ffff:10.0.0.0/120", "1.1.1.1/32"},
		[]string{"1.1.1.1/32", "10.0.0.0/23", "::ffff:10.0.0.0/120", "2001:db8::/63"})
}

func TestMergeCanonical(t *testing.T) {
	merge(t, []string{"10.0.0.5/24"}, []string{"10.0.0.0/24"})
	merge(t, []string{"10.0.0.77/24", "10.0.1.1/24"}, []string{"10.0.0.0/23"})
	merge(t, []string{"2001:db8::1/32", "192.168.7.7/16"}, []string{"192.168.0.0/16", "2001:db8::/32"})
}
