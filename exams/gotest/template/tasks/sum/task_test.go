package sum_test

import (
	"testing"

	"gotasks/sum"
)

func TestSum(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		want int
	}{{nil, 0}, {[]int{4}, 4}, {[]int{1, 2, 3}, 6}} {
		if got := sum.Sum(c.xs); got != c.want {
			t.Errorf("Sum(%v) = %d, want %d", c.xs, got, c.want)
		}
	}
}

func TestSumNegative(t *testing.T) {
	if got := sum.Sum([]int{5, -2, -3}); got != 0 {
		t.Errorf("Sum([5 -2 -3]) = %d, want 0", got)
	}
}
