package batcher

import (
	"errors"
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

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("batcher: closed")

// Batcher runs one goroutine that owns the batch; Add, Close and the timer talk to it over
// channels, so flushes happen one at a time on that goroutine.
type Batcher[T any] struct {
	adds      chan T
	deadlines chan int // the number of the batch whose maxWait has passed
	closing   chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New starts the batcher's goroutine.
func New[T any](maxSize int, maxWait time.Duration, clock Clock, flush func([]T)) *Batcher[T] {
	b := &Batcher[T]{
		adds:      make(chan T),
		deadlines: make(chan int),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
	}
	go b.loop(maxSize, maxWait, clock, flush)
	return b
}

func (b *Batcher[T]) loop(maxSize int, maxWait time.Duration, clock Clock, flush func([]T)) {
	defer close(b.done)
	batch := make([]T, 0, maxSize)
	number := 0
	var timer Timer
	emit := func() {
		if timer != nil {
			timer.Stop()
			timer = nil
		}
		number++
		if len(batch) > 0 {
			flush(batch)
			batch = make([]T, 0, maxSize) // a fresh array: flush keeps the old one
		}
	}
	for {
		select {
		case item := <-b.adds:
			batch = append(batch, item)
			if len(batch) == 1 {
				n := number
				timer = clock.AfterFunc(maxWait, func() {
					select {
					case b.deadlines <- n:
					case <-b.done:
					}
				})
			}
			if len(batch) == maxSize {
				emit()
			}
		case n := <-b.deadlines:
			if n == number {
				emit()
			}
		case <-b.closing:
			emit()
			return
		}
	}
}

// Add hands item to the goroutine.
func (b *Batcher[T]) Add(item T) error {
	select {
	case <-b.closing:
		return ErrClosed
	default:
	}
	select {
	case b.adds <- item:
		return nil
	case <-b.done:
		return ErrClosed
	}
}

// Close asks the goroutine to flush and stop, and waits for it.
func (b *Batcher[T]) Close() {
	b.closeOnce.Do(func() { close(b.closing) })
	<-b.done
}
