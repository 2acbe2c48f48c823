package stablesort_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"gotasks/stablesort"
)

type P = stablesort.Person

// crowd is 60 people with only three distinct ages, named in input order.
func crowd() []P {
	var out []P
	for i := 0; i < 60; i++ {
		out = append(out, P{Name: fmt.Sprintf("p%02d", i), Age: 20 + (i*7)%3*10})
	}
	return out
}

func TestSortSmall(t *testing.T) {
	ps := []P{{"a", 30}, {"b", 20}, {"c", 40}}
	stablesort.SortByAge(ps)
	if want := []P{{"b", 20}, {"a", 30}, {"c", 40}}; !reflect.DeepEqual(ps, want) {
		t.Errorf("SortByAge = %v, want %v", ps, want)
	}
	var empty []P
	stablesort.SortByAge(empty)
}

func TestSortStable(t *testing.T) {
	ps := crowd()
	want := slices.Clone(ps)
	slices.SortStableFunc(want, func(a, b P) int { return a.Age - b.Age })
	stablesort.SortByAge(ps)
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("SortByAge did not keep the input order of equal ages:\n got %v\nwant %v", ps, want)
	}
}

func TestOldest(t *testing.T) {
	ps := []P{{"a", 30}, {"b", 50}, {"c", 40}}
	for _, c := range []struct {
		k    int
		want []string
	}{{2, []string{"b", "c"}}, {3, []string{"b", "c", "a"}}, {9, []string{"b", "c", "a"}}, {0, []string{}}, {-1, []string{}}} {
		got := stablesort.Oldest(ps, c.k)
		if len(got) != len(c.want) || (len(got) > 0 && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("Oldest(%v, %d) = %v, want %v", ps, c.k, got, c.want)
		}
	}
}

func TestOldestTies(t *testing.T) {
	ps := crowd()
	var want []string
	for _, p := range ps {
		if p.Age == 40 {
			want = append(want, p.Name)
		}
	}
	if got := stablesort.Oldest(ps, len(want)); !reflect.DeepEqual(got, want) {
		t.Errorf("Oldest ties out of input order:\n got %v\nwant %v", got, want)
	}
}

func TestOldestLeavesInput(t *testing.T) {
	ps := crowd()
	before := slices.Clone(ps)
	stablesort.Oldest(ps, 5)
	if !reflect.DeepEqual(ps, before) {
		t.Errorf("Oldest modified its input")
	}
}
