package bitset_test

import (
	"slices"
	"testing"

	"gotasks/bitset"
)

func with(bits ...int) *bitset.Bitset {
	b := &bitset.Bitset{}
	for _, i := range bits {
		b.Set(i)
	}
	return b
}

func members(b *bitset.Bitset, upTo int) []int {
	var out []int
	for i := 0; i < upTo; i++ {
		if b.Test(i) {
			out = append(out, i)
		}
	}
	return out
}

func TestZeroValue(t *testing.T) {
	var b bitset.Bitset
	if b.Test(0) || b.Test(500) || b.Count() != 0 {
		t.Errorf("zero Bitset: Test(0) = %v, Test(500) = %v, Count = %d; want false, false, 0", b.Test(0), b.Test(500), b.Count())
	}
	if i, ok := b.NextSet(0); ok {
		t.Errorf("zero Bitset: NextSet(0) = %d, true; want false", i)
	}
}

func TestSetTest(t *testing.T) {
	b := with(0, 3, 5, 63)
	if got := members(b, 64); !slices.Equal(got, []int{0, 3, 5, 63}) {
		t.Errorf("set bits = %v, want [0 3 5 63]", got)
	}
	b.Set(3)
	if b.Count() != 4 {
		t.Errorf("Count after setting 3 twice = %d, want 4", b.Count())
	}
}

func TestWordBoundaries(t *testing.T) {
	set := []int{62, 63, 64, 65, 127, 128, 191, 192}
	b := with(set...)
	if got := members(b, 300); !slices.Equal(got, set) {
		t.Errorf("set bits = %v, want %v", got, set)
	}
	if b.Count() != len(set) {
		t.Errorf("Count = %d, want %d", b.Count(), len(set))
	}
}

func TestGrows(t *testing.T) {
	b := with(1000, 5)
	if !b.Test(1000) || !b.Test(5) || b.Test(999) || b.Test(1001) || b.Test(100000) {
		t.Errorf("after Set(1000), Set(5): Test(1000), Test(5), Test(999), Test(1001), Test(100000) = %v %v %v %v %v",
			b.Test(1000), b.Test(5), b.Test(999), b.Test(1001), b.Test(100000))
	}
}

func TestClear(t *testing.T) {
	b := with(1, 2, 70, 71)
	b.Clear(2)
	b.Clear(71)
	b.Clear(3)
	if got := members(b, 128); !slices.Equal(got, []int{1, 70}) {
		t.Errorf("after clearing 2, 71 and 3: %v, want [1 70]", got)
	}
	if b.Count() != 2 {
		t.Errorf("Count = %d, want 2", b.Count())
	}
}

func TestClearBeyond(t *testing.T) {
	b := with(4)
	b.Clear(64)
	b.Clear(10000)
	var empty bitset.Bitset
	empty.Clear(7)
	if got := members(b, 100); !slices.Equal(got, []int{4}) || empty.Count() != 0 {
		t.Errorf("clearing past the storage changed the set: %v", got)
	}
}

func TestNextSet(t *testing.T) {
	b := with(3, 64, 65, 200)
	cases := []struct {
		from, want int
		ok         bool
	}{
		{0, 3, true}, {3, 3, true}, {4, 64, true}, {64, 64, true}, {65, 65, true},
		{66, 200, true}, {128, 200, true}, {200, 200, true}, {201, 0, false}, {5000, 0, false},
	}
	for _, c := range cases {
		if got, ok := b.NextSet(c.from); got != c.want || ok != c.ok {
			t.Errorf("NextSet(%d) = %d, %v; want %d, %v", c.from, got, ok, c.want, c.ok)
		}
	}
}

func TestIterate(t *testing.T) {
	want := []int{0, 1, 63, 64, 100, 129, 640}
	b := with(want...)
	var got []int
	for i, ok := b.NextSet(0); ok; i, ok = b.NextSet(i + 1) {
		got = append(got, i)
		if len(got) > len(want) {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("iterating with NextSet = %v, want %v", got, want)
	}
}
