package chunks_test

import (
	"fmt"
	"reflect"
	"testing"

	"gotasks/chunks"
)

// collect runs the loop inside a recover, so a panicking iterator fails only this test.
func collect[T any](t *testing.T, seq func(func([]T) bool), limit int) (out [][]T) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("iteration panicked: %v", r)
		}
	}()
	for c := range seq {
		out = append(out, append([]T(nil), c...))
		if len(out) == limit {
			break
		}
	}
	return out
}

func TestChunk(t *testing.T) {
	for _, c := range []struct {
		s    []int
		n    int
		want [][]int
	}{
		{[]int{1, 2, 3, 4, 5}, 2, [][]int{{1, 2}, {3, 4}, {5}}},
		{[]int{1, 2, 3, 4}, 2, [][]int{{1, 2}, {3, 4}}},
		{[]int{1, 2}, 5, [][]int{{1, 2}}},
		{[]int{1, 2, 3}, 1, [][]int{{1}, {2}, {3}}},
	} {
		if got := collect(t, chunks.Chunk(c.s, c.n), -1); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Chunk(%v, %d) yielded %v, want %v", c.s, c.n, got, c.want)
		}
	}
}

func TestChunkEmpty(t *testing.T) {
	for _, c := range []struct {
		s []int
		n int
	}{{nil, 3}, {[]int{}, 1}, {[]int{1, 2}, 0}, {[]int{1, 2}, -1}} {
		if got := collect(t, chunks.Chunk(c.s, c.n), -1); len(got) != 0 {
			t.Errorf("Chunk(%v, %d) yielded %v, want nothing", c.s, c.n, got)
		}
	}
}

func TestChunkBreak(t *testing.T) {
	got := collect(t, chunks.Chunk([]int{1, 2, 3, 4, 5, 6, 7}, 2), 2)
	if !reflect.DeepEqual(got, [][]int{{1, 2}, {3, 4}}) {
		t.Errorf("breaking after two chunks gave %v", got)
	}
}

func TestChunkCapacity(t *testing.T) {
	s := []int{1, 2, 3, 4, 5, 6}
	for c := range chunks.Chunk(s, 2) {
		_ = append(c, 99)
	}
	if !reflect.DeepEqual(s, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("appending to a chunk changed the input: %v", s)
	}
}

func TestWindows(t *testing.T) {
	var got []string
	for i, w := range chunks.Windows([]string{"a", "b", "c", "d"}, 2) {
		got = append(got, fmt.Sprint(i, w))
	}
	if want := []string{"0 [a b]", "1 [b c]", "2 [c d]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Windows(abcd, 2) yielded %v, want %v", got, want)
	}
	for _, n := range []int{0, 5, -1} {
		for i, w := range chunks.Windows([]string{"a", "b", "c", "d"}, n) {
			t.Errorf("Windows(abcd, %d) yielded %d %v, want nothing", n, i, w)
		}
	}
	count := 0
	for range chunks.Windows([]int{1, 2, 3}, 3) {
		count++
	}
	if count != 1 {
		t.Errorf("Windows of the whole slice yielded %d windows, want 1", count)
	}
}

func TestWindowsBreak(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("iteration panicked: %v", r)
		}
	}()
	var starts []int
	for i := range chunks.Windows([]int{1, 2, 3, 4, 5, 6}, 3) {
		starts = append(starts, i)
		if i == 1 {
			break
		}
	}
	if !reflect.DeepEqual(starts, []int{0, 1}) {
		t.Errorf("window starts before the break: %v, want [0 1]", starts)
	}
}
