package stats_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gotasks/stats"
)

type celsius float64
type count uint8

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestSum(t *testing.T) {
	if got := stats.Sum([]int{1, 2, 3, 4}); got != 10 {
		t.Errorf("Sum(ints) = %d, want 10", got)
	}
	if got := stats.Sum([]float64{0.5, 0.25}); got != 0.75 {
		t.Errorf("Sum(floats) = %v, want 0.75", got)
	}
	if got := stats.Sum([]celsius{1.5, 2.5}); got != 4 {
		t.Errorf("Sum(celsius) = %v, want 4", got)
	}
	if got := stats.Sum([]int64(nil)); got != 0 {
		t.Errorf("Sum(nil) = %d, want 0", got)
	}
}

func TestMeanInts(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		want float64
	}{{[]int{1, 2}, 1.5}, {[]int{1, 2, 2}, 5.0 / 3}, {[]int{-3, 4}, 0.5}, {[]int{7}, 7}} {
		if got, err := stats.Mean(c.xs); err != nil || !near(got, c.want) {
			t.Errorf("Mean(%v) = %v, %v; want %v", c.xs, got, err, c.want)
		}
	}
}

func TestMeanFloatsAndNamed(t *testing.T) {
	if got, err := stats.Mean([]celsius{20, 21, 22.5}); err != nil || !near(got, 63.5/3) {
		t.Errorf("Mean(celsius) = %v, %v", got, err)
	}
	if got, err := stats.Mean([]count{200, 100}); err != nil || got != 150 {
		t.Errorf("Mean([]count{200, 100}) = %v, %v; want 150 (no uint8 overflow)", got, err)
	}
}

func TestMedianOdd(t *testing.T) {
	xs := []int{9, 1, 5}
	if got, err := stats.Median(xs); err != nil || got != 5 {
		t.Errorf("Median(%v) = %v, %v; want 5", xs, got, err)
	}
	if !slices.Equal(xs, []int{9, 1, 5}) {
		t.Errorf("Median modified its input: %v", xs)
	}
}

func TestMedianEven(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		want float64
	}{{[]int{4, 1, 3, 2}, 2.5}, {[]int{1, 2}, 1.5}, {[]int{5, 5}, 5}} {
		if got, err := stats.Median(c.xs); err != nil || !near(got, c.want) {
			t.Errorf("Median(%v) = %v, %v; want %v", c.xs, got, err, c.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	if _, err := stats.Mean([]float64{}); !errors.Is(err, stats.ErrEmpty) {
		t.Errorf("Mean(empty) error = %v, want ErrEmpty", err)
	}
	if _, err := stats.Median([]int(nil)); !errors.Is(err, stats.ErrEmpty) {
		t.Errorf("Median(nil) error = %v, want ErrEmpty", err)
	}
}
