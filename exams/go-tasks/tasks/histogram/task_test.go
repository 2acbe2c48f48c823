package histogram_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"gotasks/histogram"
)

type B = histogram.Bucket

func TestBuckets(t *testing.T) {
	for _, c := range []struct {
		values []int
		width  int
		want   []B
	}{
		{[]int{1, 2, 11, 19, 20, 5}, 10, []B{{0, 3}, {10, 2}, {20, 1}}},
		{[]int{3, 3, 3}, 1, []B{{3, 3}}},
		{[]int{0, 1, 2, 3, 4, 5, 6}, 3, []B{{0, 3}, {3, 3}, {6, 1}}},
		{[]int{1000}, 7, []B{{994, 1}}},
	} {
		got, err := histogram.Buckets(c.values, c.width)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Buckets(%v, %d) = %v, %v; want %v", c.values, c.width, got, err, c.want)
		}
	}
}

func TestNegative(t *testing.T) {
	for _, c := range []struct {
		values []int
		width  int
		want   []B
	}{
		{[]int{-1, -10, -11, 0, 9, -25}, 10, []B{{-30, 1}, {-20, 1}, {-10, 2}, {0, 2}}},
		{[]int{-1, 1}, 2, []B{{-2, 1}, {0, 1}}},
		{[]int{-7, -6, -5}, 3, []B{{-9, 1}, {-6, 2}}},
	} {
		got, err := histogram.Buckets(c.values, c.width)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Buckets(%v, %d) = %v, %v; want %v", c.values, c.width, got, err, c.want)
		}
	}
}

func TestManyBucketsSorted(t *testing.T) {
	var values []int
	for i := 299; i >= -100; i-- {
		values = append(values, (i*37)%400)
	}
	got, err := histogram.Buckets(values, 8)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, b := range got {
		total += b.Count
		if b.Count < 1 || ((b.Start%8)+8)%8 != 0 || (i > 0 && got[i-1].Start >= b.Start) {
			t.Fatalf("Buckets: bucket %d of %d is %v; want non-empty buckets at multiples of 8, Start ascending: %v", i, len(got), b, got)
		}
	}
	if total != len(values) {
		t.Errorf("Buckets counted %d values, want %d", total, len(values))
	}
}

func TestEmptyAndWidth(t *testing.T) {
	if got, err := histogram.Buckets(nil, 5); err != nil || len(got) != 0 {
		t.Errorf("Buckets(nil, 5) = %v, %v; want an empty slice", got, err)
	}
	for _, w := range []int{0, -3} {
		if got, err := histogram.Buckets([]int{1}, w); got != nil || !errors.Is(err, histogram.ErrWidth) {
			t.Errorf("Buckets(_, %d) = %v, %v; want nil, ErrWidth", w, got, err)
		}
		if got, err := histogram.Top([]int{1}, w, 3); got != nil || !errors.Is(err, histogram.ErrWidth) {
			t.Errorf("Top(_, %d, 3) = %v, %v; want nil, ErrWidth", w, got, err)
		}
	}
}

func TestTop(t *testing.T) {
	values := []int{5, 15, 16, 17, 25, 26, -5, -6, -7, -8}
	for _, c := range []struct {
		n    int
		want []B
	}{
		{1, []B{{-10, 4}}},
		{2, []B{{-10, 4}, {10, 3}}},
		{3, []B{{-10, 4}, {10, 3}, {20, 2}}},
		{4, []B{{-10, 4}, {10, 3}, {20, 2}, {0, 1}}},
		{10, []B{{-10, 4}, {10, 3}, {20, 2}, {0, 1}}},
		{0, []B{}},
		{-1, []B{}},
	} {
		got, err := histogram.Top(values, 10, c.n)
		if err != nil || len(got) != len(c.want) || (len(got) > 0 && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("Top(_, 10, %d) = %v, %v; want %v", c.n, got, err, c.want)
		}
	}
}

func TestTopTies(t *testing.T) {
	// 40 buckets: the ones starting at multiples of 3 hold two values, the others one.
	var values []int
	for s := 39; s >= 0; s-- {
		values = append(values, s*10)
		if s%3 == 0 {
			values = append(values, s*10+9)
		}
	}
	var want []B
	for s := 0; s < 40; s += 3 {
		want = append(want, B{s * 10, 2})
	}
	for s := 0; s < 40; s++ {
		if s%3 != 0 {
			want = append(want, B{s * 10, 1})
		}
	}
	got, err := histogram.Top(values, 10, 30)
	if err != nil || !reflect.DeepEqual(got, want[:30]) {
		t.Errorf("Top(_, 10, 30) = %v, %v\nwant %v", got, err, want[:30])
	}
}

func TestLeavesInput(t *testing.T) {
	values := []int{9, -3, 4, 4, 100, 0}
	orig := slices.Clone(values)
	_, _ = histogram.Buckets(values, 5)
	_, _ = histogram.Top(values, 5, 2)
	if !slices.Equal(values, orig) {
		t.Errorf("Buckets/Top changed the input: %v, was %v", values, orig)
	}
}
