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

type timerEvent struct {
	max bool // the maxWait timer, else the wait timer
	id  int
}

// Debouncer runs one goroutine that owns all the state; Call, Flush, Stop and the timers talk
// to it over channels.
type Debouncer[T any] struct {
	calls    chan T
	flushes  chan chan bool
	timers   chan timerEvent
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
}

// New starts the debouncer's goroutine.
func New[T any](wait, maxWait time.Duration, clock Clock, fn func(T)) *Debouncer[T] {
	d := &Debouncer[T]{
		calls:   make(chan T),
		flushes: make(chan chan bool),
		timers:  make(chan timerEvent),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go d.loop(wait, maxWait, clock, fn)
	return d
}

func (d *Debouncer[T]) schedule(clock Clock, after time.Duration, e timerEvent) Timer {
	return clock.AfterFunc(after, func() {
		select {
		case d.timers <- e:
		case <-d.stopped:
		}
	})
}

func (d *Debouncer[T]) loop(wait, maxWait time.Duration, clock Clock, fn func(T)) {
	defer close(d.stopped)
	var (
		pending       bool
		value         T
		waitT, maxT   Timer
		waitID, maxID int
	)
	end := func() {
		var zero T
		pending, value = false, zero
		waitID++
		maxID++
		if waitT != nil {
			waitT.Stop()
		}
		if maxT != nil {
			maxT.Stop()
		}
		waitT, maxT = nil, nil
	}
	for {
		select {
		case v := <-d.calls:
			value = v
			if !pending {
				pending = true
				if maxWait > 0 {
					maxT = d.schedule(clock, maxWait, timerEvent{true, maxID})
				}
			}
			if waitT != nil {
				waitT.Stop()
			}
			waitID++
			waitT = d.schedule(clock, wait, timerEvent{false, waitID})
		case e := <-d.timers:
			current := (e.max && e.id == maxID) || (!e.max && e.id == waitID)
			if pending && current {
				v := value
				end()
				fn(v)
			}
		case reply := <-d.flushes:
			had := pending
			if had {
				v := value
				end()
				fn(v)
			}
			reply <- had
		case <-d.stop:
			end()
			return
		}
	}
}

// Call hands v to the debouncer's goroutine.
func (d *Debouncer[T]) Call(v T) {
	select {
	case d.calls <- v:
	case <-d.stopped:
	}
}

// Flush asks the goroutine to call fn now and waits for the answer.
func (d *Debouncer[T]) Flush() bool {
	reply := make(chan bool, 1)
	select {
	case d.flushes <- reply:
		return <-reply
	case <-d.stopped:
		return false
	}
}

// Stop ends the goroutine and waits for it.
func (d *Debouncer[T]) Stop() {
	d.stopOnce.Do(func() { close(d.stop) })
	<-d.stopped
}
