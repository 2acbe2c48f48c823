package pool_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"gotasks/pool"
)

// gauge counts the calls running now and the most ever running at once.
type gauge struct {
	mu        sync.Mutex
	now, most int
	started   int
}

func (g *gauge) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.started++
	g.most = max(g.most, g.now)
}

func (g *gauge) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

func (g *gauge) read() (now, most, started int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now, g.most, g.started
}

func numbers(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

// TestResultsRaceFree releases four blocked calls at once: their results are stored with no
// synchronisation between them in this test, so -race sees any unsynchronised shared write.
func TestResultsRaceFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		done := make(chan []int)
		go func() {
			got, _ := pool.Map(context.Background(), numbers(4), 4, func(_ context.Context, x int) (int, error) {
				<-release
				return x * 10, nil
			})
			done <- got
		}()
		synctest.Wait()
		close(release)
		if got := <-done; !slices.Equal(got, []int{0, 10, 20, 30}) {
			t.Errorf("Map = %v, want [0 10 20 30]", got)
		}
	})
}

// TestOrder finishes the calls in reverse order of their start: results must still follow the input.
func TestOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gates := make([]chan struct{}, 6)
		for i := range gates {
			gates[i] = make(chan struct{})
		}
		done := make(chan []int)
		go func() {
			got, _ := pool.Map(context.Background(), numbers(6), 3, func(_ context.Context, x int) (int, error) {
				<-gates[x]
				return x * x, nil
			})
			done <- got
		}()
		for _, i := range []int{2, 1, 0, 5, 4, 3} {
			synctest.Wait()
			close(gates[i])
		}
		if got := <-done; !slices.Equal(got, []int{0, 1, 4, 9, 16, 25}) {
			t.Errorf("Map = %v, want [0 1 4 9 16 25]", got)
		}
	})
}

func TestBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g gauge
		release := make(chan struct{})
		done := make(chan error)
		go func() {
			_, err := pool.Map(context.Background(), numbers(20), 3, func(_ context.Context, x int) (int, error) {
				g.enter()
				defer g.leave()
				<-release
				return x, nil
			})
			done <- err
		}()
		synctest.Wait() // every call that can start has started and is waiting
		if now, _, _ := g.read(); now != 3 {
			t.Errorf("%d calls running at once with workers=3, want 3", now)
		}
		close(release)
		if err := <-done; err != nil {
			t.Errorf("Map error: %v", err)
		}
		if _, most, started := g.read(); most > 3 || started != 20 {
			t.Errorf("at most %d calls at once (want <= 3), %d calls in all (want 20)", most, started)
		}
	})
}

func TestUsesAllWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g gauge
		release := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			pool.Map(context.Background(), numbers(5), 8, func(_ context.Context, x int) (int, error) {
				g.enter()
				defer g.leave()
				<-release
				return x, nil
			})
		}()
		synctest.Wait()
		if now, _, _ := g.read(); now != 5 {
			t.Errorf("%d of 5 calls running with workers=8, want all 5", now)
		}
		close(release)
		<-done
	})
}

func TestFirstErrorStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		gate := make(chan struct{})
		var calls, cancelled atomic.Int32
		type outcome struct {
			got []int
			err error
		}
		done := make(chan outcome)
		go func() {
			got, err := pool.Map(context.Background(), numbers(50), 2, func(ctx context.Context, x int) (int, error) {
				calls.Add(1)
				if x == 1 {
					<-gate
					return 0, boom
				}
				<-ctx.Done()
				cancelled.Add(1)
				return 0, ctx.Err()
			})
			done <- outcome{got, err}
		}()
		synctest.Wait() // calls 0 and 1 are running; 1 fails when the gate opens
		close(gate)
		r := <-done
		if !errors.Is(r.err, boom) || r.got != nil {
			t.Errorf("Map = %v, %v; want nil, boom", r.got, r.err)
		}
		if n := calls.Load(); n != 2 {
			t.Errorf("%d calls started; with workers=2 and a failure, want 2 and no new call after it", n)
		}
		if calls.Load() != cancelled.Load()+1 {
			t.Errorf("%d calls, %d saw cancellation: every other call should have been cancelled", calls.Load(), cancelled.Load())
		}
	})
}

func TestParentCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			synctest.Wait()
			cancel()
		}()
		_, err := pool.Map(ctx, numbers(10), 2, func(ctx context.Context, x int) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Map after cancel = %v, want context.Canceled", err)
		}
	})
}

func TestEmpty(t *testing.T) {
	got, err := pool.Map(context.Background(), []string{}, 3, func(context.Context, string) (int, error) {
		t.Error("f called for an empty input")
		return 0, nil
	})
	if err != nil || len(got) != 0 {
		t.Errorf("Map(empty) = %v, %v", got, err)
	}
}
