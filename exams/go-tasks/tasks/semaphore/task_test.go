package semaphore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"gotasks/semaphore"
)

// Every test runs in a synctest bubble: synctest.Wait returns once every goroutine is blocked,
// and a goroutine left blocked when the test ends fails it.

// log records the order in which waiters got their weight.
type log struct {
	mu    sync.Mutex
	names []string
}

func (l *log) add(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
}

func (l *log) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.names)
}

// acquire starts a waiter and returns a channel with its result.
func acquire(ctx context.Context, s *semaphore.Weighted, n int64, name string, l *log) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := s.Acquire(ctx, n)
		if err == nil && l != nil {
			l.add(name)
		}
		done <- err
	}()
	return done
}

func TestAcquireRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(10)
		ctx := context.Background()
		if err := s.Acquire(ctx, 3); err != nil {
			t.Fatalf("Acquire(3) of 10 = %v", err)
		}
		if err := s.Acquire(ctx, 7); err != nil {
			t.Fatalf("Acquire(7) of the 7 left = %v", err)
		}
		if s.TryAcquire(1) {
			t.Errorf("TryAcquire(1) with nothing left = true")
		}
		s.Release(3)
		if !s.TryAcquire(3) || s.TryAcquire(1) {
			t.Errorf("after Release(3): TryAcquire(3) should succeed and then TryAcquire(1) fail")
		}
	})
}

func TestBlocksUntilRelease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(2)
		s.Acquire(context.Background(), 2)
		done := acquire(context.Background(), s, 1, "w", nil)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Acquire(1) returned %v while nothing was free", err)
		default:
		}
		s.Release(1)
		if err := <-done; err != nil {
			t.Errorf("Acquire(1) after Release(1) = %v", err)
		}
	})
}

func TestFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(10)
		s.Acquire(context.Background(), 10)
		var l log
		big := acquire(context.Background(), s, 5, "big", &l)
		synctest.Wait()
		small := acquire(context.Background(), s, 1, "small", &l)
		synctest.Wait()
		s.Release(1) // 1 free: small fits, but big arrived first
		synctest.Wait()
		if got := l.get(); len(got) != 0 {
			t.Errorf("after Release(1): %v acquired, want nobody (small must not overtake big)", got)
		}
		s.Release(4) // 5 free: big goes, then nothing is left for small
		synctest.Wait()
		s.Release(1)
		<-big
		<-small
		if got := l.get(); !slices.Equal(got, []string{"big", "small"}) {
			t.Errorf("acquired in order %v, want [big small]", got)
		}
	})
}

func TestTryAcquireWaitsItsTurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(4)
		s.Acquire(context.Background(), 4)
		done := acquire(context.Background(), s, 3, "w", nil)
		synctest.Wait()
		s.Release(2)
		if s.TryAcquire(1) {
			t.Errorf("TryAcquire(1) succeeded while an earlier Acquire(3) waits")
		}
		s.Release(2)
		if err := <-done; err != nil {
			t.Errorf("waiter: %v", err)
		}
	})
}

func TestCancelWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(3)
		s.Acquire(context.Background(), 3)
		ctx, cancel := context.WithCancel(context.Background())
		done := acquire(ctx, s, 2, "w", nil)
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Acquire = %v, want context.Canceled", err)
		}
		s.Release(3)
		if !s.TryAcquire(3) {
			t.Errorf("TryAcquire(3) after the cancelled waiter left and all was released = false: it took weight")
		}
	})
}

func TestCancelServesNext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(10)
		s.Acquire(context.Background(), 8) // 2 free
		ctx, cancel := context.WithCancel(context.Background())
		front := acquire(ctx, s, 5, "front", nil)
		synctest.Wait()
		behind := acquire(context.Background(), s, 2, "behind", nil)
		synctest.Wait()
		cancel() // front gives up: behind fits in the 2 free and must be served now
		if err := <-front; !errors.Is(err, context.Canceled) {
			t.Errorf("front = %v, want context.Canceled", err)
		}
		synctest.Wait()
		select {
		case err := <-behind:
			if err != nil {
				t.Errorf("behind = %v", err)
			}
		default:
			t.Errorf("the waiter behind a cancelled one still waits although its weight is free")
			s.Release(8)
			<-behind
		}
	})
}

func TestDoneContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(5)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Acquire(ctx, 1); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire with a done context = %v, want context.Canceled", err)
		}
		if !s.TryAcquire(5) {
			t.Errorf("the failed Acquire took weight")
		}
	})
}

func TestTooLarge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := semaphore.NewWeighted(4)
		ctx, cancel := context.WithCancel(context.Background())
		done := acquire(ctx, s, 5, "huge", nil)
		synctest.Wait()
		if !s.TryAcquire(1) {
			t.Errorf("TryAcquire(1) failed: an impossible Acquire(5) of 4 holds up other callers")
		}
		if err := s.Acquire(context.Background(), 3); err != nil {
			t.Errorf("Acquire(3) = %v", err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire(5) of 4 = %v, want context.Canceled once cancelled", err)
		}
	})
}
