package genericset_test

import (
	"slices"
	"testing"

	"gotasks/genericset"
)

func sorted[T interface{ ~int | ~string }](s *genericset.Set[T]) []T { return genericset.Sorted(s) }

func TestAddContains(t *testing.T) {
	s := genericset.New(3, 1, 3, 2, 1)
	if s.Len() != 3 {
		t.Errorf("New(3, 1, 3, 2, 1).Len() = %d, want 3", s.Len())
	}
	s.Add(4, 4, 1)
	for x, want := range map[int]bool{1: true, 2: true, 3: true, 4: true, 0: false, 5: false} {
		if s.Contains(x) != want {
			t.Errorf("Contains(%d) = %v, want %v", x, s.Contains(x), want)
		}
	}
	if s.Len() != 4 {
		t.Errorf("Len() = %d after Add(4, 4, 1), want 4", s.Len())
	}
}

func TestRemove(t *testing.T) {
	s := genericset.New("a", "b", "c")
	s.Remove("b")
	s.Remove("zzz")
	if got := sorted(s); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("after Remove(b), Remove(zzz): %q, want [a c]", got)
	}
}

func TestUnion(t *testing.T) {
	a, b := genericset.New(1, 2, 3), genericset.New(3, 4, 5)
	if got := sorted(a.Union(b)); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("{1 2 3} ∪ {3 4 5} = %v", got)
	}
	if got := sorted(a.Union(genericset.New[int]())); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("{1 2 3} ∪ {} = %v", got)
	}
}

func TestIntersection(t *testing.T) {
	cases := []struct{ a, b, want []int }{
		{[]int{1, 2, 3, 4}, []int{3, 4, 5}, []int{3, 4}},
		{[]int{9}, []int{1, 2, 3, 9, 10}, []int{9}},
		{[]int{1, 2, 3}, []int{7, 8}, []int{}},
		{[]int{5, 6, 7}, []int{6}, []int{6}},
	}
	for _, c := range cases {
		got := sorted(genericset.New(c.a...).Intersection(genericset.New(c.b...)))
		if !slices.Equal(got, c.want) {
			t.Errorf("%v ∩ %v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestDifference(t *testing.T) {
	cases := []struct{ a, b, want []int }{
		{[]int{1, 2, 3, 4}, []int{3, 4, 5}, []int{1, 2}},
		{[]int{3, 4, 5}, []int{1, 2, 3, 4}, []int{5}},
		{[]int{1}, []int{1}, []int{}},
	}
	for _, c := range cases {
		got := sorted(genericset.New(c.a...).Difference(genericset.New(c.b...)))
		if !slices.Equal(got, c.want) {
			t.Errorf("%v \\ %v = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestOperandsUnchanged(t *testing.T) {
	a, b := genericset.New(1, 2), genericset.New(2, 3)
	u, i, d := a.Union(b), a.Intersection(b), a.Difference(b)
	if got := sorted(a); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("a = %v after the operations, want [1 2] unchanged", got)
	}
	if got := sorted(b); !slices.Equal(got, []int{2, 3}) {
		t.Errorf("b = %v after the operations, want [2 3] unchanged", got)
	}
	u.Add(99)
	i.Add(98)
	d.Add(97)
	if a.Contains(99) || a.Contains(98) || a.Contains(97) || b.Contains(99) {
		t.Errorf("adding to a result changed an operand: a = %v, b = %v", sorted(a), sorted(b))
	}
}

func TestEqual(t *testing.T) {
	type point struct{ X, Y int }
	a := genericset.New(point{1, 2}, point{3, 4})
	b := genericset.New(point{3, 4}, point{1, 2}, point{1, 2})
	c := genericset.New(point{1, 2}, point{4, 3})
	if !a.Equal(b) || !b.Equal(a) {
		t.Errorf("sets of the same points in another order are not Equal")
	}
	if a.Equal(c) || a.Equal(genericset.New(point{1, 2})) {
		t.Errorf("different sets are Equal")
	}
}

func TestSorted(t *testing.T) {
	if got := genericset.Sorted(genericset.New(10, -3, 7, 100, 9, 0)); !slices.Equal(got, []int{-3, 0, 7, 9, 10, 100}) {
		t.Errorf("Sorted ints = %v", got)
	}
	if got := genericset.Sorted(genericset.New("pear", "Apple", "fig", "apple")); !slices.Equal(got, []string{"Apple", "apple", "fig", "pear"}) {
		t.Errorf("Sorted strings = %q", got)
	}
	if got := genericset.Sorted(genericset.New(2.5, -1.25, 0.0)); !slices.Equal(got, []float64{-1.25, 0, 2.5}) {
		t.Errorf("Sorted floats = %v", got)
	}
	if got := genericset.Sorted(genericset.New[int]()); len(got) != 0 {
		t.Errorf("Sorted(empty) = %v", got)
	}
}
