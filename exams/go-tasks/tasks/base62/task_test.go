package base62_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gotasks/base62"
)

var table = []struct {
	n uint64
	s string
}{
	{0, "0"}, {1, "1"}, {9, "9"}, {10, "A"}, {35, "Z"}, {36, "a"}, {61, "z"}, {62, "10"},
	{3843, "zz"}, {3844, "100"}, {1234567890, "1LY7VK"}, {839299365868340224, "10000000000"},
	{math.MaxUint64, "LygHa16AHYF"},
}

func TestEncode(t *testing.T) {
	for _, c := range table {
		if got := base62.Encode(c.n); got != c.s {
			t.Errorf("Encode(%d) = %q, want %q", c.n, got, c.s)
		}
	}
}

func TestDecode(t *testing.T) {
	for _, c := range table {
		if got, err := base62.Decode(c.s); err != nil || got != c.n {
			t.Errorf("Decode(%q) = %d, %v; want %d", c.s, got, err, c.n)
		}
	}
}

func TestLeadingZeros(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint64
	}{{"00", 0}, {"007", 7}, {"0010", 62}, {"0000000000000LygHa16AHYF", math.MaxUint64}} {
		if got, err := base62.Decode(c.s); err != nil || got != c.want {
			t.Errorf("Decode(%q) = %d, %v; want %d", c.s, got, err, c.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	values := []uint64{0, math.MaxUint64, math.MaxUint64 - 1}
	p := uint64(1)
	for range 10 {
		p *= 62
		values = append(values, p-1, p, p+1)
	}
	rng := rand.New(rand.NewPCG(29, 62))
	for range 2000 {
		values = append(values, rng.Uint64()>>rng.IntN(64))
	}
	for _, n := range values {
		s := base62.Encode(n)
		if got, err := base62.Decode(s); err != nil || got != n {
			t.Fatalf("Decode(Encode(%d) = %q) = %d, %v", n, s, got, err)
		}
	}
}

func TestDecodeSyntax(t *testing.T) {
	for _, s := range []string{"", "-1", "+1", " 1", "1 ", "a_b", "1.5", "é", "Z\x00", "zz!"} {
		got, err := base62.Decode(s)
		if got != 0 || !errors.Is(err, base62.ErrSyntax) || errors.Is(err, base62.ErrRange) {
			t.Errorf("Decode(%q) = %d, %v; want 0 and ErrSyntax", s, got, err)
		}
	}
}

func TestDecodeRange(t *testing.T) {
	for _, s := range []string{"LygHa16AHYG", "LygHa16AHZ0", "LyhAAAAAAAA", "100000000000", "zzzzzzzzzzzz", "LygHa16AHYF0"} {
		got, err := base62.Decode(s)
		if got != 0 || !errors.Is(err, base62.ErrRange) || errors.Is(err, base62.ErrSyntax) {
			t.Errorf("Decode(%q) = %d, %v; want 0 and ErrRange", s, got, err)
		}
	}
}
