package batcher_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"gotasks/batcher"
)

// fakeClock calls due callbacks from Advance, in order of due time, with time standing at each
// callback's due time. Tests run in synctest bubbles and wait after each step, so a batcher
// that works from its own goroutine has settled before the test looks.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Duration
	timers []*fakeTimer
}

type fakeTimer struct {
	clock         *fakeClock
	at            time.Duration
	f             func()
	done, stopped bool
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) batcher.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.now + d, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	if t.done || t.stopped {
		return false
	}
	t.stopped = true
	return true
}

func (c *fakeClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves time forward by d, running each timer due by then (outside the clock's lock).
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now + d
	for {
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.stopped && t.at <= target && (next == nil || t.at < next.at) {
				next = t
			}
		}
		if next == nil {
			break
		}
		next.done = true
		c.now = max(c.now, next.at)
		c.mu.Unlock()
		next.f()
		synctest.Wait()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// sink is flush: it keeps every batch it is given (as the API allows) with the fake time.
type sink struct {
	mu      sync.Mutex
	clock   *fakeClock
	batches [][]int
	at      []time.Duration
	busy    atomic.Bool
	overlap atomic.Bool
}

func (s *sink) flush(items []int) {
	if !s.busy.CompareAndSwap(false, true) {
		s.overlap.Store(true)
	}
	defer s.busy.Store(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, items)
	s.at = append(s.at, s.clock.Now())
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := ""
	for i, b := range s.batches {
		out += fmt.Sprintf("%v@%v ", b, s.at[i])
	}
	return out
}

type env struct {
	t     *testing.T
	clock *fakeClock
	sink  *sink
	b     *batcher.Batcher[int]
}

func setup(t *testing.T, maxSize int, maxWait time.Duration) *env {
	c := &fakeClock{}
	s := &sink{clock: c}
	e := &env{t: t, clock: c, sink: s, b: batcher.New(maxSize, maxWait, c, s.flush)}
	t.Cleanup(e.b.Close)
	return e
}

func (e *env) add(items ...int) {
	for _, it := range items {
		if err := e.b.Add(it); err != nil {
			e.t.Errorf("Add(%d) = %v", it, err)
		}
		synctest.Wait()
	}
}

func (e *env) advance(d time.Duration) {
	e.clock.Advance(d)
	synctest.Wait()
}

func (e *env) expect(step, want string) {
	e.t.Helper()
	if got := e.sink.String(); got != want {
		e.t.Errorf("%s: batches %q, want %q", step, got, want)
	}
}

const ms = time.Millisecond

func TestFlushBySize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 3, time.Second)
		e.add(1, 2)
		e.expect("2 of 3 items", "")
		e.add(3, 4, 5, 6, 7)
		e.expect("7 items, size 3", "[1 2 3]@0s [4 5 6]@0s ")
	})
}

func TestFlushByTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 10, 100*ms)
		e.add(1)
		e.advance(60 * ms)
		e.add(2)
		e.advance(39 * ms)
		e.expect("99ms after the first item", "")
		e.advance(1 * ms)
		e.expect("100ms after the first item", "[1 2]@100ms ")
		e.advance(time.Second)
		e.expect("nothing more", "[1 2]@100ms ")
	})
}

func TestEachBatchItsOwnWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 2, 100*ms)
		e.add(1, 2) // flushed by size at 0: its timer must not flush the next batch
		e.advance(50 * ms)
		e.add(3)
		e.advance(60 * ms)
		e.expect("60ms after item 3", "[1 2]@0s ")
		e.advance(40 * ms)
		e.expect("100ms after item 3", "[1 2]@0s [3]@150ms ")
	})
}

func TestBatchesAreKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 2, time.Second)
		e.add(1, 2, 3, 4, 5)
		e.b.Close()
		e.expect("kept batches", "[1 2]@0s [3 4]@0s [5]@0s ")
	})
}

func TestCloseFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 5, 100*ms)
		e.add(1, 2)
		e.advance(10 * ms)
		e.b.Close()
		e.expect("after Close", "[1 2]@10ms ")
		e.advance(time.Second)
		e.b.Close()
		e.expect("a second after Close, closed twice", "[1 2]@10ms ")
	})
}

func TestAddAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 5, 100*ms)
		e.b.Close()
		if err := e.b.Add(1); !errors.Is(err, batcher.ErrClosed) {
			t.Errorf("Add after Close = %v, want ErrClosed", err)
		}
		e.advance(time.Second)
		e.expect("after Close", "")
	})
}

func TestConcurrentAdds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 10, 100*ms)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					e.b.Add(g*100 + i)
				}
			}()
		}
		wg.Wait()
		e.advance(100 * ms)
		e.b.Close()
		e.sink.mu.Lock()
		defer e.sink.mu.Unlock()
		var all []int
		for _, b := range e.sink.batches {
			if len(b) == 0 || len(b) > 10 {
				t.Errorf("a batch of %d items, want 1..10", len(b))
			}
			all = append(all, b...)
		}
		slices.Sort(all)
		var want []int
		for g := 0; g < 8; g++ {
			for i := 0; i < 25; i++ {
				want = append(want, g*100+i)
			}
		}
		if !slices.Equal(all, want) {
			t.Errorf("flushed %d items, want each of the 200 added exactly once", len(all))
		}
		if e.sink.overlap.Load() {
			t.Errorf("flush was called for two batches at the same time")
		}
	})
}
