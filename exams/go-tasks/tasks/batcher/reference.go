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

// Batcher groups items into batches of at most maxSize, flushed at most maxWait after their
// first item. flush runs with the mutex held, so flushes never overlap.
type Batcher[T any] struct {
	mu      sync.Mutex
	maxSize int
	maxWait time.Duration
	clock   Clock
	flush   func([]T)

	items  []T
	timer  Timer
	batch  int // numbers the batches: a timer flushes only the batch it was started for
	closed bool
}

// New returns a batcher that hands batches to flush.
func New[T any](maxSize int, maxWait time.Duration, clock Clock, flush func([]T)) *Batcher[T] {
	return &Batcher[T]{maxSize: maxSize, maxWait: maxWait, clock: clock, flush: flush}
}

// Add appends item, flushing the batch when it is full.
func (b *Batcher[T]) Add(item T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.items = append(b.items, item)
	if len(b.items) == 1 {
		batch := b.batch
		b.timer = b.clock.AfterFunc(b.maxWait, func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.batch == batch && !b.closed {
				b.flushLocked()
			}
		})
	}
	if len(b.items) >= b.maxSize {
		b.flushLocked()
	}
	return nil
}

// flushLocked hands the current batch to flush and starts a new one; called with b.mu held.
func (b *Batcher[T]) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.batch++
	if len(b.items) == 0 {
		return
	}
	items := b.items
	b.items = nil // flush may keep items
	b.flush(items)
}

// Close flushes what is left and stops the batcher.
func (b *Batcher[T]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.flushLocked()
	b.closed = true
}
