package ratelimit_test

import (
	"sync"
	"testing"
	"time"

	"gotasks/ratelimit"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func allowed(l *ratelimit.Limiter, n int) int {
	ok := 0
	for i := 0; i < n; i++ {
		if l.Allow() {
			ok++
		}
	}
	return ok
}

func TestStartsFull(t *testing.T) {
	l := ratelimit.New(1, 3, newClock())
	if got := allowed(l, 10); got != 3 {
		t.Errorf("a new limiter with burst 3 allowed %d of 10 events at once, want 3", got)
	}
}

func TestRefill(t *testing.T) {
	clock := newClock()
	l := ratelimit.New(2, 2, clock)
	allowed(l, 2)
	clock.Advance(500 * time.Millisecond)
	if got := allowed(l, 5); got != 1 {
		t.Errorf("after 0.5 s at 2/s: allowed %d, want 1", got)
	}
	clock.Advance(time.Second)
	if got := allowed(l, 5); got != 2 {
		t.Errorf("after 1 s at 2/s: allowed %d, want 2", got)
	}
}

func TestFractionalRefill(t *testing.T) {
	clock := newClock()
	l := ratelimit.New(1, 1, clock)
	allowed(l, 1)
	for i := 0; i < 2; i++ {
		clock.Advance(400 * time.Millisecond)
		if l.Allow() {
			t.Fatalf("allowed after only %d ms at 1/s", 400*(i+1))
		}
	}
	clock.Advance(400 * time.Millisecond)
	// 1.2 s have passed in three steps of 0.4 s: the fractions add up to more than one token.
	if !l.Allow() {
		t.Errorf("not allowed after 3 x 0.4 s at 1/s: fractions of tokens were lost")
	}
}

func TestBurstCap(t *testing.T) {
	clock := newClock()
	l := ratelimit.New(10, 5, clock)
	allowed(l, 5)
	clock.Advance(time.Hour)
	if got := allowed(l, 100); got != 5 {
		t.Errorf("after an idle hour: allowed %d at once, want the burst of 5", got)
	}
}

func TestReserveWaits(t *testing.T) {
	clock := newClock()
	l := ratelimit.New(4, 1, clock)
	if d := l.Reserve(); d != 0 {
		t.Errorf("first Reserve waits %v, want 0", d)
	}
	if d := l.Reserve(); d != 250*time.Millisecond {
		t.Errorf("second Reserve waits %v, want 250ms", d)
	}
	if d := l.Reserve(); d != 500*time.Millisecond {
		t.Errorf("third Reserve waits %v, want 500ms (the bucket is in debt)", d)
	}
	clock.Advance(100 * time.Millisecond)
	if d := l.Reserve(); d != 650*time.Millisecond {
		t.Errorf("Reserve after 100 ms waits %v, want 650ms", d)
	}
}

func TestConcurrentAllow(t *testing.T) {
	l := ratelimit.New(1, 50, newClock())
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for g := 0; g < 10; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n := allowed(l, 10)
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if total != 50 {
		t.Errorf("10 goroutines x 10 Allow calls on a fixed clock allowed %d, want exactly the burst of 50", total)
	}
}
