package seqs_test

import (
	"iter"
	"reflect"
	"slices"
	"testing"

	"gotasks/seqs"
)

// counted yields 0, 1, 2, ... up to limit (or forever when limit < 0) and counts what it produced.
func counted(limit int, produced *int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; limit < 0 || i < limit; i++ {
			*produced++
			if !yield(i) {
				return
			}
		}
	}
}

func even(x int) bool { return x%2 == 0 }

func TestFilterMap(t *testing.T) {
	got := slices.Collect(seqs.Map(seqs.Filter(slices.Values([]int{1, 2, 3, 4, 5, 6}), even), func(x int) string {
		return string(rune('a' + x))
	}))
	if want := []string{"c", "e", "g"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Map(Filter(...)) = %v, want %v", got, want)
	}
}

func TestTake(t *testing.T) {
	for _, c := range []struct {
		n    int
		want []int
	}{{3, []int{0, 1, 2}}, {0, nil}, {-2, nil}, {10, []int{0, 1, 2, 3, 4}}} {
		var produced int
		got := slices.Collect(seqs.Take(counted(5, &produced), c.n))
		if !slices.Equal(got, c.want) {
			t.Errorf("Take(0..4, %d) = %v, want %v", c.n, got, c.want)
		}
	}
}

func TestTakePullsExactly(t *testing.T) {
	for _, n := range []int{1, 3, 7} {
		var produced int
		got := slices.Collect(seqs.Take(counted(-1, &produced), n))
		if len(got) != n || produced != n {
			t.Errorf("Take(infinite, %d) yielded %d elements after pulling %d, want %d and %d", n, len(got), produced, n, n)
		}
	}
}

func TestCount(t *testing.T) {
	var got []int
	for x := range seqs.Count(-2) {
		got = append(got, x)
		if len(got) == 5 {
			break
		}
	}
	if want := []int{-2, -1, 0, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Count(-2) began %v, want %v", got, want)
	}
}

func TestLazy(t *testing.T) {
	var produced int
	calls := 0
	seq := seqs.Map(seqs.Filter(counted(1000, &produced), func(int) bool { calls++; return true }), func(x int) int { calls++; return x })
	if produced != 0 || calls != 0 {
		t.Errorf("building the pipeline ran it: produced %d, calls %d", produced, calls)
	}
	for range seq {
		break
	}
	if produced != 1 {
		t.Errorf("taking one element pulled %d from the source, want 1", produced)
	}
}

func TestFilterBreak(t *testing.T) {
	var produced int
	for x := range seqs.Filter(counted(100, &produced), even) {
		if x == 4 {
			break
		}
	}
	if produced != 5 {
		t.Errorf("breaking at 4 pulled %d elements from the source, want 5", produced)
	}
}

func TestPipelineStopsEarly(t *testing.T) {
	var produced int
	got := slices.Collect(seqs.Take(seqs.Filter(counted(1_000_000, &produced), even), 4))
	if !reflect.DeepEqual(got, []int{0, 2, 4, 6}) || produced != 7 {
		t.Errorf("Take(Filter(0.., even), 4) = %v after pulling %d, want [0 2 4 6] after 7", got, produced)
	}
}
