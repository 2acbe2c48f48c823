package semaphore

import (
	"container/list"
	"context"
	"sync"
)

type waiter struct {
	n     int64
	ready chan struct{} // closed when the weight is granted
}

// Weighted is a weighted semaphore with FIFO waiters.
type Weighted struct {
	mu      sync.Mutex
	size    int64
	cur     int64
	waiters list.List // of waiter
}

// NewWeighted returns a semaphore of the given total weight.
func NewWeighted(size int64) *Weighted { return &Weighted{size: size} }

// Acquire takes n, blocking until it is free or ctx is done.
func (s *Weighted) Acquire(ctx context.Context, n int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.waiters.Len() == 0 && s.size-s.cur >= n {
		s.cur += n
		s.mu.Unlock()
		return nil
	}
	if n > s.size {
		s.mu.Unlock()
		<-ctx.Done()
		return ctx.Err()
	}
	ready := make(chan struct{})
	elem := s.waiters.PushBack(waiter{n, ready})
	s.mu.Unlock()

	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		select {
		case <-ready: // granted meanwhile: give it back
			s.cur -= n
			s.notify()
		default:
			isFront := s.waiters.Front() == elem
			s.waiters.Remove(elem)
			if isFront {
				s.notify() // the next waiters may fit now
			}
		}
		return ctx.Err()
	}
}

// TryAcquire takes n if it is free and nobody waits.
func (s *Weighted) TryAcquire(n int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.size-s.cur >= n {
		s.cur += n
		return true
	}
	return false
}

// Release returns n and serves the waiters that fit, in order.
func (s *Weighted) Release(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur -= n
	if s.cur < 0 {
		panic("semaphore: released more than held")
	}
	s.notify()
}

// notify grants waiters from the front while they fit; called with s.mu held.
func (s *Weighted) notify() {
	for {
		front := s.waiters.Front()
		if front == nil {
			return
		}
		for e := front; e != nil; {
			next := e.Next()
			if w := e.Value.(waiter); s.size-s.cur >= w.n {
				s.cur += w.n
				s.waiters.Remove(e)
				close(w.ready)
			}
			e = next
		}
		return
	}
}
