package pqueue_test

import (
	"reflect"
	"testing"

	"gotasks/pqueue"
)

func drain[T any](q *pqueue.Queue[T]) []T {
	var out []T
	for q.Len() > 0 {
		x, ok := q.Pop()
		if !ok {
			break
		}
		out = append(out, x)
	}
	return out
}

func TestOrdersInts(t *testing.T) {
	q := pqueue.New(func(a, b int) bool { return a < b })
	for _, x := range []int{5, 1, 9, 3, 7, 2, 8} {
		q.Push(x)
	}
	if q.Len() != 7 {
		t.Errorf("Len() = %d, want 7", q.Len())
	}
	if got := drain(q); !reflect.DeepEqual(got, []int{1, 2, 3, 5, 7, 8, 9}) {
		t.Errorf("popped %v", got)
	}
}

func TestMaxQueue(t *testing.T) {
	q := pqueue.New(func(a, b string) bool { return a > b })
	for _, s := range []string{"pear", "apple", "zucchini", "fig"} {
		q.Push(s)
	}
	if got := drain(q); !reflect.DeepEqual(got, []string{"zucchini", "pear", "fig", "apple"}) {
		t.Errorf("popped %v", got)
	}
}

type job struct {
	prio int
	name string
}

func TestFIFOAmongEquals(t *testing.T) {
	q := pqueue.New(func(a, b job) bool { return a.prio < b.prio })
	var want []string
	for i := 0; i < 40; i++ {
		q.Push(job{i % 2, string(rune('A' + i))})
	}
	for p := 0; p < 2; p++ {
		for i := p; i < 40; i += 2 {
			want = append(want, string(rune('A'+i)))
		}
	}
	var got []string
	for _, j := range drain(q) {
		got = append(got, j.name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("equal priorities out of push order:\n got %v\nwant %v", got, want)
	}
}

func TestInterleaved(t *testing.T) {
	q := pqueue.New(func(a, b int) bool { return a < b })
	q.Push(4)
	q.Push(2)
	if x, _ := q.Pop(); x != 2 {
		t.Errorf("Pop() = %d, want 2", x)
	}
	q.Push(1)
	q.Push(3)
	if got := drain(q); !reflect.DeepEqual(got, []int{1, 3, 4}) {
		t.Errorf("popped %v, want [1 3 4]", got)
	}
}

func TestPopEmpty(t *testing.T) {
	q := pqueue.New(func(a, b int) bool { return a < b })
	if x, ok := q.Pop(); ok || x != 0 {
		t.Errorf("Pop() on an empty queue = %d, %v; want 0, false", x, ok)
	}
	q.Push(1)
	q.Pop()
	if _, ok := q.Pop(); ok {
		t.Errorf("Pop() on an emptied queue reported ok")
	}
}
