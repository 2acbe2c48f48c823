package window_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gotasks/window"
)

func collect(s []int, size, step int) [][]int {
	var out [][]int
	for w := range window.Windows(s, size, step) {
		out = append(out, w)
	}
	return out
}

func checkWindows(t *testing.T, s []int, size, step int, want [][]int) {
	t.Helper()
	got := collect(s, size, step)
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Errorf("Windows(%v, size %d, step %d) = %v, want %v", s, size, step, got, want)
	}
}

var nums = []int{1, 2, 3, 4, 5, 6, 7}

func TestSlideByOne(t *testing.T) {
	checkWindows(t, nums[:5], 3, 1, [][]int{{1, 2, 3}, {2, 3, 4}, {3, 4, 5}})
	checkWindows(t, nums[:3], 1, 1, [][]int{{1}, {2}, {3}})
}

func TestSteps(t *testing.T) {
	checkWindows(t, nums, 3, 2, [][]int{{1, 2, 3}, {3, 4, 5}, {5, 6, 7}})
	checkWindows(t, nums, 2, 3, [][]int{{1, 2}, {4, 5}})
	checkWindows(t, nums, 2, 2, [][]int{{1, 2}, {3, 4}, {5, 6}})
	checkWindows(t, nums, 1, 4, [][]int{{1}, {5}})
}

func TestWholeSlice(t *testing.T) {
	checkWindows(t, nums[:4], 4, 1, [][]int{{1, 2, 3, 4}})
	checkWindows(t, nums[:4], 4, 9, [][]int{{1, 2, 3, 4}})
}

func TestNothing(t *testing.T) {
	for _, c := range []struct {
		s          []int
		size, step int
	}{
		{nums, 0, 1}, {nums, -1, 1}, {nums, 2, 0}, {nums, 2, -2}, {nums[:3], 4, 1}, {nil, 1, 1},
	} {
		if got := collect(c.s, c.size, c.step); len(got) != 0 {
			t.Errorf("Windows(%v, size %d, step %d) = %v, want nothing", c.s, c.size, c.step, got)
		}
	}
}

func TestWindowsAreCopies(t *testing.T) {
	s := []int{1, 2, 3, 4}
	ws := collect(s, 2, 1)
	if fmt.Sprint(ws) != "[[1 2] [2 3] [3 4]]" {
		t.Fatalf("kept windows = %v, want [[1 2] [2 3] [3 4]]", ws)
	}
	ws[0][1] = 99
	ws[1] = append(ws[1], 98)
	if !slices.Equal(s, []int{1, 2, 3, 4}) || ws[1][0] != 2 || ws[2][0] != 3 {
		t.Errorf("changing the windows changed s or another window: s = %v, windows = %v", s, ws)
	}
}

func TestWindowsBreak(t *testing.T) {
	var got [][]int
	for w := range window.Windows(nums, 2, 1) {
		got = append(got, w)
		if len(got) == 2 {
			break
		}
	}
	if fmt.Sprint(got) != "[[1 2] [2 3]]" {
		t.Errorf("windows before break = %v, want [[1 2] [2 3]]", got)
	}
}

func TestMovingAverage(t *testing.T) {
	xs := []float64{2, 4, 6, 9, -1, 0.5}
	want := []float64{4, 19.0 / 3, 14.0 / 3, 8.5 / 3}
	var got []float64
	ok := true
	for i, m := range window.MovingAverage(xs, 3) {
		ok = ok && i == len(got) && i < len(want) && math.Abs(m-want[i]) < 1e-9
		got = append(got, m)
	}
	if !ok || len(got) != len(want) {
		t.Errorf("MovingAverage(%v, 3) = %v (indexes 0, 1, ...), want %v", xs, got, want)
	}
	for _, n := range []int{0, -2, 7} {
		for i, m := range window.MovingAverage(xs, n) {
			t.Errorf("MovingAverage(n=%d) yielded (%d, %v), want nothing", n, i, m)
		}
	}
}

func TestMovingAverageBreak(t *testing.T) {
	n := 0
	for i, m := range window.MovingAverage([]float64{1, 3, 5, 7, 9}, 2) {
		n++
		if i != 0 || m != 2 {
			t.Errorf("first average = (%d, %v), want (0, 2)", i, m)
		}
		break
	}
	if n != 1 {
		t.Errorf("loop body ran %d times, want 1", n)
	}
}
