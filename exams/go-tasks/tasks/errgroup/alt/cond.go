package errgroup

import (
	"context"
	"sync"
)

// Group counts its running functions under a mutex; a sync.Cond wakes both Go callers waiting
// for a slot and Wait callers waiting for zero.
type Group struct {
	mu      sync.Mutex
	cond    *sync.Cond
	running int
	limit   int // < 0: none
	err     error
	cancel  context.CancelFunc
}

func (g *Group) init() {
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
		if g.limit == 0 {
			g.limit = -1
		}
	}
}

// WithContext returns a Group whose context is cancelled on the first error or by Wait.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{cancel: cancel}, ctx
}

// SetLimit allows at most n functions at once; n < 0 removes the limit.
func (g *Group) SetLimit(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	g.limit = n
}

func (g *Group) full() bool { return g.limit >= 0 && g.running >= g.limit }

// run is called with g.mu held and a slot taken.
func (g *Group) run(f func() error) {
	g.running++
	go func() {
		err := f()
		g.mu.Lock()
		defer g.mu.Unlock()
		if err != nil && g.err == nil {
			g.err = err
			if g.cancel != nil {
				g.cancel()
			}
		}
		g.running--
		g.cond.Broadcast()
	}()
}

// Go waits for a free slot, then runs f in a goroutine.
func (g *Group) Go(f func() error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	for g.full() {
		g.cond.Wait()
	}
	g.run(f)
}

// TryGo runs f only if a slot is free now.
func (g *Group) TryGo(f func() error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	if g.full() {
		return false
	}
	g.run(f)
	return true
}

// Wait waits until no function runs and returns the first error.
func (g *Group) Wait() error {
	g.mu.Lock()
	g.init()
	for g.running > 0 {
		g.cond.Wait()
	}
	err := g.err
	g.mu.Unlock()
	if g.cancel != nil {
		g.cancel()
	}
	return err
}
