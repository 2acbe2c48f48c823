package semaphore

import (
	"context"
	"slices"
	"sync"
)

type waiter struct {
	n    int64
	done chan error // receives exactly one outcome: nil (granted) or the context's error
}

// Weighted keeps its waiters in a slice; a waiter is either granted by grant or removed by its
// context's AfterFunc, both under the mutex, so each waiter gets exactly one outcome.
type Weighted struct {
	mu    sync.Mutex
	size  int64
	free  int64
	queue []*waiter
}

// NewWeighted returns a semaphore of the given total weight.
func NewWeighted(size int64) *Weighted { return &Weighted{size: size, free: size} }

// grant serves waiters from the head while they fit; called with s.mu held.
func (s *Weighted) grant() {
	for len(s.queue) > 0 && s.queue[0].n <= s.free {
		w := s.queue[0]
		s.queue = s.queue[1:]
		s.free -= w.n
		w.done <- nil
	}
}

// Acquire takes n, blocking until it is free or ctx is done.
func (s *Weighted) Acquire(ctx context.Context, n int64) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if n > s.size {
		<-ctx.Done()
		return ctx.Err()
	}
	w := &waiter{n: n, done: make(chan error, 1)}
	s.mu.Lock()
	s.queue = append(s.queue, w)
	s.grant()
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if i := slices.Index(s.queue, w); i >= 0 {
			s.queue = slices.Delete(s.queue, i, i+1)
			w.done <- ctx.Err()
			s.grant()
		}
	})
	err := <-w.done
	stop()
	return err
}

// TryAcquire takes n if it is free and nobody waits.
func (s *Weighted) TryAcquire(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 || n > s.free {
		return false
	}
	s.free -= n
	return true
}

// Release returns n and serves the waiters that fit.
func (s *Weighted) Release(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free += n
	if s.free > s.size {
		panic("semaphore: released more than held")
	}
	s.grant()
}
