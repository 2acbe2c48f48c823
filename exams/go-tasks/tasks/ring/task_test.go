package ring_test

import (
	"reflect"
	"testing"

	"gotasks/ring"
)

func TestFillsUp(t *testing.T) {
	r := ring.New[int](3)
	if r.Len() != 0 || len(r.Values()) != 0 {
		t.Fatalf("new ring: Len %d, Values %v", r.Len(), r.Values())
	}
	r.Push(1)
	r.Push(2)
	if got := r.Values(); !reflect.DeepEqual(got, []int{1, 2}) || r.Len() != 2 {
		t.Errorf("Values() = %v, Len() = %d; want [1 2], 2", got, r.Len())
	}
}

func TestWrapAround(t *testing.T) {
	r := ring.New[string](3)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		r.Push(s)
	}
	if got := r.Values(); !reflect.DeepEqual(got, []string{"c", "d", "e"}) || r.Len() != 3 {
		t.Errorf("Values() = %v, Len() = %d; want [c d e], 3", got, r.Len())
	}
}

func TestManyWraps(t *testing.T) {
	r := ring.New[int](4)
	for i := 1; i <= 103; i++ {
		r.Push(i)
		if i%10 == 7 {
			lo := max(1, i-3)
			var want []int
			for v := lo; v <= i; v++ {
				want = append(want, v)
			}
			if got := r.Values(); !reflect.DeepEqual(got, want) {
				t.Fatalf("after pushing 1..%d: Values() = %v, want %v", i, got, want)
			}
		}
	}
}

func TestLast(t *testing.T) {
	r := ring.New[int](2)
	if _, ok := r.Last(); ok {
		t.Errorf("Last() on an empty ring reported ok")
	}
	for i := 1; i <= 5; i++ {
		r.Push(i * 10)
		if v, ok := r.Last(); !ok || v != i*10 {
			t.Errorf("Last() after pushing %d = %d, %v", i*10, v, ok)
		}
	}
}

func TestSizeOne(t *testing.T) {
	r := ring.New[int](1)
	r.Push(1)
	r.Push(2)
	if got := r.Values(); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("Values() = %v, want [2]", got)
	}
}

func TestValuesIsACopy(t *testing.T) {
	r := ring.New[int](3)
	for i := 1; i <= 4; i++ {
		r.Push(i)
	}
	v := r.Values()
	v[len(v)-1] = 99
	r.Push(5)
	if got := r.Values(); !reflect.DeepEqual(got, []int{3, 4, 5}) {
		t.Errorf("changing the slice Values returned changed the ring: Values() = %v, want [3 4 5]", got)
	}
}
