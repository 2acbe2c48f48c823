package fanin_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"

	"gotasks/fanin"
)

func feed(values ...int) <-chan int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, v := range values {
			ch <- v
		}
	}()
	return ch
}

func drain(ch <-chan int) []int {
	var got []int
	for v := range ch {
		got = append(got, v)
	}
	slices.Sort(got)
	return got
}

func TestAllValues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := make(chan int), make(chan int)
		out := fanin.Merge(context.Background(), (<-chan int)(a), (<-chan int)(b))
		done := make(chan []int)
		go func() { done <- drain(out) }()
		a <- 1
		close(a)
		synctest.Wait() // input a is finished; b is still open, so the output must stay open
		b <- 2
		b <- 3
		close(b)
		if got := <-done; !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("merged %v, want [1 2 3]", got)
		}
		if got := drain(fanin.Merge(context.Background(), feed(1, 2, 3), feed(4, 5), feed(6))); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
			t.Errorf("merged %v, want [1 2 3 4 5 6]", got)
		}
	})
}

func TestUnevenInputs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		long := make([]int, 100)
		for i := range long {
			long[i] = i + 10
		}
		got := drain(fanin.Merge(context.Background(), feed(), feed(1), feed(long...)))
		if len(got) != 101 || got[0] != 1 || got[100] != 109 {
			t.Errorf("merged %d values (%v...), want 101", len(got), got[:min(len(got), 5)])
		}
	})
}

func TestNoInputs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if got := drain(fanin.Merge[int](context.Background())); len(got) != 0 {
			t.Errorf("Merge of nothing yielded %v", got)
		}
	})
}

func TestCancelWhileReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		open := make(chan int) // never closed
		out := fanin.Merge(ctx, open, feed(1))
		if v := <-out; v != 1 {
			t.Fatalf("first value %d, want 1", v)
		}
		cancel()
		for range out {
		}
	})
}

func TestCancelWithoutReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		busy := make(chan int, 3)
		busy <- 1
		busy <- 2
		busy <- 3
		out := fanin.Merge(ctx, (<-chan int)(busy))
		synctest.Wait() // a value is waiting to be sent; nobody reads
		cancel()
		synctest.Wait()
		if v, ok := <-out; ok {
			t.Errorf("after cancellation the output delivered %d; it should have been closed with nobody reading", v)
		}
	})
}

func TestNoGoroutineLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		open := make(chan int, 1)
		open <- 7
		fanin.Merge(ctx, (<-chan int)(open), (<-chan int)(make(chan int)))
		synctest.Wait()
		before := runtime.NumGoroutine()
		cancel()
		synctest.Wait()
		if after := runtime.NumGoroutine(); after >= before {
			t.Errorf("goroutines: %d before cancel, %d after; Merge's should all have ended", before, after)
		}
	})
}
