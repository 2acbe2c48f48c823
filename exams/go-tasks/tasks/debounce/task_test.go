package debounce_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"gotasks/debounce"
)

// fakeClock calls due callbacks from Advance, in order of due time, with time standing at each
// callback's due time. Tests run in synctest bubbles and wait after each step, so a debouncer
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

func (c *fakeClock) AfterFunc(d time.Duration, f func()) debounce.Timer {
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

// recorder is fn: it records each value with the fake time of the call.
type recorder struct {
	mu    sync.Mutex
	clock *fakeClock
	got   []string
}

func (r *recorder) fn(v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d@%v", v, r.clock.Now()))
}

func (r *recorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

type env struct {
	t     *testing.T
	clock *fakeClock
	rec   *recorder
	d     *debounce.Debouncer[int]
}

func setup(t *testing.T, wait, maxWait time.Duration) *env {
	c := &fakeClock{}
	r := &recorder{clock: c}
	e := &env{t: t, clock: c, rec: r, d: debounce.New(wait, maxWait, c, r.fn)}
	t.Cleanup(e.d.Stop)
	return e
}

func (e *env) call(v int) {
	e.d.Call(v)
	synctest.Wait()
}

func (e *env) advance(d time.Duration) {
	e.clock.Advance(d)
	synctest.Wait()
}

func (e *env) expect(step string, want ...string) {
	e.t.Helper()
	if got := e.rec.calls(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		e.t.Errorf("%s: fn calls %q, want %q", step, got, want)
	}
}

const ms = time.Millisecond

func TestSingleCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 0)
		e.call(1)
		e.advance(99 * ms)
		e.expect("99ms after Call(1)")
		e.advance(1 * ms)
		e.expect("100ms after Call(1)", "1@100ms")
		e.advance(time.Second)
		e.expect("long after", "1@100ms")
	})
}

func TestBurstKeepsLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 0)
		for v := 1; v <= 3; v++ {
			e.call(v)
			e.advance(60 * ms)
		}
		e.expect("calls every 60ms")
		e.advance(39 * ms)
		e.expect("99ms after the last Call")
		e.advance(1 * ms)
		e.expect("100ms after the last Call", "3@220ms")
	})
}

func TestSeparateBursts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 50*ms, 0)
		e.call(1)
		e.advance(200 * ms)
		e.call(2)
		e.call(3)
		e.advance(200 * ms)
		e.expect("two bursts", "1@50ms", "3@250ms")
	})
}

func TestMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 250*ms)
		for v := 0; v < 10; v++ { // a Call every 60ms: the quiet period never comes
			e.call(v)
			e.advance(60 * ms)
		}
		e.advance(time.Second)
		// Bursts start at 0 and 300ms (the first Call after a call of fn); each is cut at
		// maxWait; the timers of a finished burst must not call fn again.
		e.expect("Calls every 60ms for 600ms", "4@250ms", "9@550ms")
	})
}

func TestFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 300*ms)
		e.call(7)
		e.advance(10 * ms)
		if !e.d.Flush() {
			t.Errorf("Flush with a pending value = false")
		}
		e.expect("after Flush", "7@10ms")
		e.advance(time.Second)
		e.expect("a second after Flush", "7@10ms")
		if e.d.Flush() {
			t.Errorf("Flush with nothing pending = true")
		}
		e.call(8)
		e.advance(100 * ms)
		e.expect("a new Call after Flush", "7@10ms", "8@1.11s")
	})
}

func TestStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 150*ms)
		e.call(1)
		e.advance(50 * ms)
		e.d.Stop()
		synctest.Wait()
		e.advance(time.Second)
		e.call(2)
		e.advance(time.Second)
		e.expect("after Stop")
	})
}

func TestConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := setup(t, 100*ms, 0)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					e.d.Call(5)
				}
			}()
		}
		wg.Wait()
		synctest.Wait()
		e.advance(100 * ms)
		e.expect("160 concurrent Calls", "5@100ms")
	})
}
