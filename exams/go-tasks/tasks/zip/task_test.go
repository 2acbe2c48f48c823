package zip_test

import (
	"fmt"
	"iter"
	"reflect"
	"slices"
	"testing"

	"gotasks/zip"
)

// endless stands for an infinite sequence: a source asked for this many elements records an overrun
// and ends, so a solution that tries to exhaust it fails instead of hanging.
const endless = 10000

// source yields 0..limit-1 (limit < 0: "forever"), counting what it produced and whether it finished.
type source struct {
	produced int
	finished bool
	overrun  bool
}

func (s *source) seq(limit int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() { s.finished = true }()
		for i := 0; limit < 0 || i < limit; i++ {
			if limit < 0 && i == endless {
				s.overrun = true
				return
			}
			s.produced++
			if !yield(i) {
				return
			}
		}
	}
}

func pairs[A, B any](seq iter.Seq2[A, B], limit int) []string {
	var out []string
	for a, b := range seq {
		out = append(out, fmt.Sprintf("%v %v", a, b))
		if len(out) == limit {
			break
		}
	}
	return out
}

func TestZip(t *testing.T) {
	got := pairs(zip.Zip(slices.Values([]int{1, 2, 3}), slices.Values([]string{"a", "b", "c", "d"})), -1)
	if want := []string{"1 a", "2 b", "3 c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Zip = %v, want %v", got, want)
	}
	if got := pairs(zip.Zip(slices.Values([]int{}), slices.Values([]int{1})), -1); len(got) != 0 {
		t.Errorf("Zip with an empty side = %v, want nothing", got)
	}
}

func TestZipInfinite(t *testing.T) {
	var a source
	got := pairs(zip.Zip(a.seq(-1), slices.Values([]string{"x", "y"})), -1)
	if want := []string{"0 x", "1 y"}; !reflect.DeepEqual(got, want) || a.overrun {
		t.Errorf("Zip(infinite, [x y]) = %v (source exhausted: %v), want %v", got, a.overrun, want)
	}
}

func TestZipPullsLazily(t *testing.T) {
	var a, b source
	got := pairs(zip.Zip(a.seq(1000), b.seq(1000)), 3)
	if len(got) != 3 || a.produced > 4 || b.produced > 4 {
		t.Errorf("3 pairs pulled %d and %d elements from the sources, want at most 4 each", a.produced, b.produced)
	}
}

func TestZipCleansUp(t *testing.T) {
	var a, b source
	pairs(zip.Zip(a.seq(5), b.seq(2)), -1)
	if !a.finished || !b.finished {
		t.Errorf("after Zip ended, sources finished: a=%v b=%v; want both", a.finished, b.finished)
	}
}

func TestZipCleansUpOnBreak(t *testing.T) {
	var a, b source
	pairs(zip.Zip(a.seq(-1), b.seq(-1)), 2)
	if !a.finished || !b.finished {
		t.Errorf("after breaking out of Zip, sources finished: a=%v b=%v; want both", a.finished, b.finished)
	}
}

func TestEnumerate(t *testing.T) {
	got := pairs(zip.Enumerate(slices.Values([]string{"a", "b", "c"}), 1), -1)
	if want := []string{"1 a", "2 b", "3 c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Enumerate = %v, want %v", got, want)
	}
	var a source
	if got := pairs(zip.Enumerate(a.seq(-1), 10), 2); !reflect.DeepEqual(got, []string{"10 0", "11 1"}) {
		t.Errorf("Enumerate(infinite) began %v", got)
	}
}
