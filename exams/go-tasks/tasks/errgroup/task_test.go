package errgroup_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"gotasks/errgroup"
)

// Every test runs in a synctest bubble: a goroutine left blocked when the test ends fails it.

type gauge struct {
	mu              sync.Mutex
	now, most, runs int
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.runs++
	g.most = max(g.most, g.now)
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

func (g *gauge) read() (now, most, runs int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now, g.most, g.runs
}

func TestWaitAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, _ := errgroup.WithContext(context.Background())
		var n atomic.Int32
		for i := 0; i < 10; i++ {
			g.Go(func() error {
				n.Add(1)
				return nil
			})
		}
		if err := g.Wait(); err != nil || n.Load() != 10 {
			t.Errorf("Wait = %v after %d of 10 calls; want nil after all 10", err, n.Load())
		}
	})
}

func TestFirstError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first, second := errors.New("first"), errors.New("second")
		g, ctx := errgroup.WithContext(context.Background())
		g.Go(func() error {
			<-ctx.Done() // returns only after the first error cancelled the context
			return second
		})
		g.Go(func() error { return first })
		if err := g.Wait(); err != first {
			t.Errorf("Wait = %v, want the error returned first (%v)", err, first)
		}
	})
}

func TestErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, ctx := errgroup.WithContext(context.Background())
		failed := make(chan struct{})
		g.Go(func() error {
			defer close(failed)
			return errors.New("boom")
		})
		<-failed
		synctest.Wait()
		if ctx.Err() == nil {
			t.Errorf("the group's context is live after a function failed: want it cancelled")
		}
		g.Wait()
	})
}

func TestWaitCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g, ctx := errgroup.WithContext(context.Background())
		g.Go(func() error { return nil })
		if err := g.Wait(); err != nil {
			t.Fatalf("Wait = %v, want nil", err)
		}
		if ctx.Err() == nil {
			t.Errorf("the group's context is live after Wait returned: want it cancelled")
		}
	})
}

func TestLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		g.SetLimit(2)
		var ga gauge
		release := make(chan struct{})
		started := make(chan struct{})
		go func() {
			defer close(started)
			for i := 0; i < 6; i++ {
				g.Go(func() error {
					ga.enter()
					defer ga.leave()
					<-release
					return nil
				})
			}
		}()
		synctest.Wait() // the caller is blocked in Go: two functions run
		if now, _, _ := ga.read(); now != 2 {
			t.Errorf("%d functions running with SetLimit(2), want 2", now)
		}
		close(release)
		<-started
		if err := g.Wait(); err != nil {
			t.Errorf("Wait = %v", err)
		}
		if _, most, runs := ga.read(); most != 2 || runs != 6 {
			t.Errorf("at most %d at once (want 2), %d calls (want 6)", most, runs)
		}
	})
}

func TestTryGo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		g.SetLimit(1)
		release := make(chan struct{})
		if !g.TryGo(func() error { <-release; return nil }) {
			t.Fatalf("TryGo on an idle group with SetLimit(1) = false")
		}
		if g.TryGo(func() error { return nil }) {
			t.Errorf("TryGo while the one slot is taken = true, want false")
		}
		close(release)
		synctest.Wait()
		if !g.TryGo(func() error { return nil }) {
			t.Errorf("TryGo after the slot was freed = false, want true")
		}
		g.Wait()
	})
}

func TestNoLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		g.SetLimit(-1)
		var ga gauge
		release := make(chan struct{})
		for i := 0; i < 20; i++ {
			g.Go(func() error {
				ga.enter()
				defer ga.leave()
				<-release
				return nil
			})
		}
		synctest.Wait()
		if now, _, _ := ga.read(); now != 20 {
			t.Errorf("%d of 20 functions running with no limit", now)
		}
		close(release)
		g.Wait()
	})
}

func TestZeroGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g errgroup.Group
		boom := errors.New("boom")
		g.Go(func() error { return nil })
		g.Go(func() error { return boom })
		if err := g.Wait(); err != boom {
			t.Errorf("zero Group: Wait = %v, want boom", err)
		}
	})
}
