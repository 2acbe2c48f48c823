package intervals_test

import (
	"reflect"
	"slices"
	"testing"

	"gotasks/intervals"
)

type I = intervals.Interval

func check(t *testing.T, in, want []I) {
	t.Helper()
	got := intervals.Merge(slices.Clone(in))
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge(%v) = %v, want %v", in, got, want)
	}
}

func TestDisjoint(t *testing.T) {
	check(t, nil, nil)
	check(t, []I{{1, 2}}, []I{{1, 2}})
	check(t, []I{{1, 2}, {4, 5}, {7, 9}}, []I{{1, 2}, {4, 5}, {7, 9}})
	check(t, []I{{1, 2}, {3, 4}}, []I{{1, 2}, {3, 4}})
}

func TestOverlapping(t *testing.T) {
	check(t, []I{{1, 4}, {2, 6}, {8, 10}, {9, 12}}, []I{{1, 6}, {8, 12}})
	check(t, []I{{-5, 0}, {-1, 3}}, []I{{-5, 3}})
}

func TestTouching(t *testing.T) {
	check(t, []I{{1, 3}, {3, 5}}, []I{{1, 5}})
	check(t, []I{{0, 0}, {0, 0}, {0, 2}}, []I{{0, 2}})
}

func TestContained(t *testing.T) {
	check(t, []I{{1, 10}, {2, 3}, {4, 5}}, []I{{1, 10}})
	check(t, []I{{1, 10}, {2, 3}, {11, 12}}, []I{{1, 10}, {11, 12}})
}

func TestUnsorted(t *testing.T) {
	check(t, []I{{8, 10}, {1, 3}, {2, 9}, {20, 25}, {0, 1}}, []I{{0, 10}, {20, 25}})
	check(t, []I{{5, 6}, {1, 20}, {3, 4}}, []I{{1, 20}})
}

func TestLeavesInput(t *testing.T) {
	in := []I{{5, 6}, {1, 2}, {2, 3}}
	before := slices.Clone(in)
	intervals.Merge(in)
	if !reflect.DeepEqual(in, before) {
		t.Errorf("Merge modified its input: %v, was %v", in, before)
	}
}
