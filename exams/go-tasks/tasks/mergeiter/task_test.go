package mergeiter_test

import (
	"iter"
	"slices"
	"testing"

	"gotasks/mergeiter"
)

// endless stands for an infinite sequence: a source asked for this many values records an
// overrun and ends, so a solution that tries to exhaust it fails instead of hanging.
const endless = 10000

// source yields its values (or, when step > 0, start, start+step, ... forever), counting what
// it produced and whether its function returned.
type source struct {
	produced int
	finished bool
	overrun  bool
}

func (s *source) of(values ...int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() { s.finished = true }()
		for _, v := range values {
			s.produced++
			if !yield(v) {
				return
			}
		}
	}
}

func (s *source) forever(start, step int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer func() { s.finished = true }()
		for v := start; ; v += step {
			if s.produced == endless {
				s.overrun = true
				return
			}
			s.produced++
			if !yield(v) {
				return
			}
		}
	}
}

// take collects up to n values of seq (n < 0: all of them).
func take(seq iter.Seq[int], n int) []int {
	out := []int{}
	if n == 0 {
		return out
	}
	for v := range seq {
		out = append(out, v)
		if len(out) == n {
			break
		}
	}
	return out
}

func TestMergeTwo(t *testing.T) {
	var a, b source
	got := take(mergeiter.Merge(a.of(1, 3, 5, 7), b.of(2, 4, 6)), -1)
	if want := []int{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("Merge = %v, want %v", got, want)
	}
}

func TestMergeMany(t *testing.T) {
	var s [5]source
	got := take(mergeiter.Merge(s[0].of(5, 5, 9), s[1].of(), s[2].of(-3, 0, 5, 12), s[3].of(1), s[4].of(0, 0, 0)), -1)
	if want := []int{-3, 0, 0, 0, 0, 1, 5, 5, 5, 9, 12}; !slices.Equal(got, want) {
		t.Errorf("Merge = %v, want %v", got, want)
	}
}

func TestEmpty(t *testing.T) {
	var a, b source
	if got := take(mergeiter.Merge(), -1); len(got) != 0 {
		t.Errorf("Merge() = %v, want nothing", got)
	}
	if got := take(mergeiter.Merge(a.of(), b.of()), -1); len(got) != 0 {
		t.Errorf("Merge(empty, empty) = %v, want nothing", got)
	}
}

func TestInfinite(t *testing.T) {
	var threes, fives, list source
	got := take(mergeiter.Merge(threes.forever(0, 3), fives.forever(0, 5), list.of(4, 100)), 9)
	want := []int{0, 0, 3, 4, 5, 6, 9, 10, 12}
	if !slices.Equal(got, want) || threes.overrun || fives.overrun {
		t.Errorf("first 9 of Merge(3n, 5n, [4 100]) = %v (a source exhausted: %v), want %v",
			got, threes.overrun || fives.overrun, want)
	}
}

func TestPullsLazily(t *testing.T) {
	for _, step := range []struct{ n, a, b, c int }{
		{0, 0, 0, 0}, // nothing asked: nothing pulled
		{1, 1, 1, 1}, // 1 (from a); the heads 10 and 5 were needed to choose it
		{3, 3, 1, 1}, // 1 2 3: all from a, whose next value is not pulled yet
		{5, 4, 1, 1}, // 1 2 3 4 5: a is exhausted; 5 came from c, whose 6 is not pulled yet
		{6, 4, 1, 2}, // ... 6
	} {
		var a, b, c source
		merged := mergeiter.Merge(a.of(1, 2, 3, 4), b.of(10, 20), c.of(5, 6))
		take(merged, step.n)
		if a.produced != step.a || b.produced != step.b || c.produced != step.c {
			t.Errorf("after %d values the sources produced %d, %d, %d values; want %d, %d, %d",
				step.n, a.produced, b.produced, c.produced, step.a, step.b, step.c)
		}
	}
}

func TestStopsSources(t *testing.T) {
	var a, b, c source
	take(mergeiter.Merge(a.of(1, 2, 3), b.forever(0, 2), c.of(7)), 4)
	if !a.finished || !b.finished || !c.finished {
		t.Errorf("after an early stop the sources finished: %v, %v, %v; want all", a.finished, b.finished, c.finished)
	}
	var d, e source
	take(mergeiter.Merge(d.of(1), e.of(2, 3)), -1)
	if !d.finished || !e.finished {
		t.Errorf("after the end the sources finished: %v, %v; want both", d.finished, e.finished)
	}
}
