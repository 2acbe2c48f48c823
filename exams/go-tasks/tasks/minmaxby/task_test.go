package minmaxby_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gotasks/minmaxby"
)

type person struct {
	Name string
	Age  int
}

var people = []person{{"ann", 31}, {"bo", 12}, {"cy", 45}, {"di", 27}}

func age(p person) int { return p.Age }

func TestMinBy(t *testing.T) {
	if got, ok := minmaxby.MinBy(people, age); !ok || got.Name != "bo" {
		t.Errorf("MinBy(age) = %v, %v; want bo", got, ok)
	}
	words := []string{"kiwi", "fig", "banana", "apple"}
	if got, ok := minmaxby.MinBy(words, func(s string) int { return len(s) }); !ok || got != "fig" {
		t.Errorf("MinBy(len) = %q, %v; want fig", got, ok)
	}
	if got, ok := minmaxby.MinBy(words, func(s string) string { return s }); !ok || got != "apple" {
		t.Errorf("MinBy(identity) = %q, %v; want apple", got, ok)
	}
	if got, ok := minmaxby.MinBy([]int{-3, 7, -8, 2}, func(v int) float64 { return math.Abs(float64(v)) }); !ok || got != 2 {
		t.Errorf("MinBy(abs) = %d, %v; want 2", got, ok)
	}
}

func TestMaxBy(t *testing.T) {
	if got, ok := minmaxby.MaxBy(people, age); !ok || got.Name != "cy" {
		t.Errorf("MaxBy(age) = %v, %v; want cy", got, ok)
	}
	if got, ok := minmaxby.MaxBy([]int{-3, 7, -8, 2}, func(v int) float64 { return math.Abs(float64(v)) }); !ok || got != -8 {
		t.Errorf("MaxBy(abs) = %d, %v; want -8", got, ok)
	}
	if got, ok := minmaxby.MaxBy([]string{"b", "a", "c"}, strings.ToUpper); !ok || got != "c" {
		t.Errorf("MaxBy(upper) = %q, %v; want c", got, ok)
	}
}

func TestFirstOfTies(t *testing.T) {
	ps := []person{{"ann", 30}, {"bo", 20}, {"cy", 30}, {"di", 20}, {"ed", 25}}
	if got, _ := minmaxby.MinBy(ps, age); got.Name != "bo" {
		t.Errorf("MinBy with ties = %v, want bo (the first of the youngest)", got)
	}
	if got, _ := minmaxby.MaxBy(ps, age); got.Name != "ann" {
		t.Errorf("MaxBy with ties = %v, want ann (the first of the oldest)", got)
	}
	same := []person{{"x", 1}, {"y", 1}, {"z", 1}}
	if got, _ := minmaxby.MinBy(same, age); got.Name != "x" {
		t.Errorf("MinBy all equal = %v, want x", got)
	}
	if got, _ := minmaxby.MaxBy(same, age); got.Name != "x" {
		t.Errorf("MaxBy all equal = %v, want x", got)
	}
}

func TestEmpty(t *testing.T) {
	if got, ok := minmaxby.MinBy([]person(nil), age); ok || got != (person{}) {
		t.Errorf("MinBy(nil) = %v, %v; want zero, false", got, ok)
	}
	if got, ok := minmaxby.MaxBy([]string{}, func(s string) int { return len(s) }); ok || got != "" {
		t.Errorf("MaxBy(empty) = %q, %v; want \"\", false", got, ok)
	}
	if got, ok := minmaxby.MaxBy([]int{4}, func(v int) int { return v }); !ok || got != 4 {
		t.Errorf("MaxBy([4]) = %d, %v; want 4, true", got, ok)
	}
}

func TestKeyCalledOnce(t *testing.T) {
	s := []int{5, 3, 9, 1, 7, 9, 0, 4}
	for _, f := range []struct {
		name string
		fn   func([]int, func(int) int) (int, bool)
	}{{"MinBy", minmaxby.MinBy[int, int]}, {"MaxBy", minmaxby.MaxBy[int, int]}} {
		calls := map[int]int{}
		_, _ = f.fn(s, func(v int) int { calls[v]++; return v })
		want := map[int]int{5: 1, 3: 1, 9: 2, 1: 1, 7: 1, 0: 1, 4: 1}
		for v, n := range want {
			if calls[v] != n {
				t.Errorf("%s called key %d times for the value %d, want %d (once per element): %v", f.name, calls[v], v, n, calls)
			}
		}
	}
}

func TestNaN(t *testing.T) {
	nan := math.NaN()
	s := []float64{2, nan, -1, 5}
	id := func(f float64) float64 { return f }
	if got, ok := minmaxby.MinBy(s, id); !ok || !math.IsNaN(got) {
		t.Errorf("MinBy(%v) = %v, %v; want NaN (NaN sorts first)", s, got, ok)
	}
	if got, ok := minmaxby.MaxBy(s, id); !ok || got != 5 {
		t.Errorf("MaxBy(%v) = %v, %v; want 5", s, got, ok)
	}
	s = []float64{nan, 3, 1}
	if got, ok := minmaxby.MaxBy(s, id); !ok || got != 3 {
		t.Errorf("MaxBy(%v) = %v, %v; want 3", s, got, ok)
	}
	if got, ok := minmaxby.MinBy(s, id); !ok || !math.IsNaN(got) {
		t.Errorf("MinBy(%v) = %v, %v; want NaN", s, got, ok)
	}
}

func TestLeavesInput(t *testing.T) {
	s := []int{4, 1, 3}
	_, _ = minmaxby.MinBy(s, func(v int) int { return v })
	_, _ = minmaxby.MaxBy(s, func(v int) int { return v })
	if !slices.Equal(s, []int{4, 1, 3}) {
		t.Errorf("the input changed: %v", s)
	}
}
