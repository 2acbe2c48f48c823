package debounce

import (
	"sync"
	"time"
)

// Clock schedules callbacks.
type Clock interface {
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled callback.
type Timer interface {
	Stop() bool
}

// Debouncer calls fn with the latest value after a quiet period, or at most maxWait late.
type Debouncer[T any] struct {
	mu            sync.Mutex
	wait, maxWait time.Duration
	clock         Clock
	fn            func(T)

	pending             bool
	value               T
	waitTimer, maxTimer Timer
	call, burst         int // a timer fires only if its token is still current
	stopped             bool
}

// New returns a debouncer of calls to fn.
func New[T any](wait, maxWait time.Duration, clock Clock, fn func(T)) *Debouncer[T] {
	return &Debouncer[T]{wait: wait, maxWait: maxWait, clock: clock, fn: fn}
}

// Call records v and restarts the quiet period.
func (d *Debouncer[T]) Call(v T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	d.value = v
	if !d.pending {
		d.pending = true
		if d.maxWait > 0 {
			burst := d.burst
			d.maxTimer = d.clock.AfterFunc(d.maxWait, func() { d.fire(func() bool { return d.burst == burst }) })
		}
	}
	if d.waitTimer != nil {
		d.waitTimer.Stop()
	}
	d.call++
	call := d.call
	d.waitTimer = d.clock.AfterFunc(d.wait, func() { d.fire(func() bool { return d.call == call }) })
}

// endBurst clears the pending value and stops and invalidates the timers; called with d.mu held.
func (d *Debouncer[T]) endBurst() T {
	v := d.value
	var zero T
	d.pending, d.value = false, zero
	d.call++
	d.burst++
	for _, t := range []Timer{d.waitTimer, d.maxTimer} {
		if t != nil {
			t.Stop()
		}
	}
	d.waitTimer, d.maxTimer = nil, nil
	return v
}

// fire calls fn with the pending value if the timer's token is current.
func (d *Debouncer[T]) fire(current func() bool) {
	d.mu.Lock()
	if !d.pending || !current() {
		d.mu.Unlock()
		return
	}
	v := d.endBurst()
	d.mu.Unlock()
	d.fn(v)
}

// Flush calls fn with the pending value now.
func (d *Debouncer[T]) Flush() bool {
	d.mu.Lock()
	if !d.pending {
		d.mu.Unlock()
		return false
	}
	v := d.value
	d.mu.Unlock()
	d.fn(v)
	return true
}

// Stop drops the pending value; later Calls are ignored.
func (d *Debouncer[T]) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	if d.pending {
		d.endBurst()
	}
}
