package deadline_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"gotasks/deadline"
)

// Every test runs in a synctest bubble: time is fake and only passes while every goroutine of the
// bubble is blocked, and the bubble fails if a goroutine is still blocked when the test ends
// (a leaked goroutine).

func TestReturnsResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v, err := deadline.Call(context.Background(), time.Second, func(context.Context) (int, error) { return 42, nil })
		if v != 42 || err != nil {
			t.Errorf("Call = %v, %v; want 42, nil", v, err)
		}
	})
}

func TestFuncError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		v, err := deadline.Call(context.Background(), time.Minute, func(context.Context) (string, error) { return "partial", boom })
		if v != "partial" || err != boom {
			t.Errorf("Call = %q, %v; want f's own result \"partial\", boom", v, err)
		}
	})
}

func TestTimeoutDoesNotWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		v, err := deadline.Call(context.Background(), time.Second, func(context.Context) (int, error) {
			<-release // ignores its context
			return 7, nil
		})
		if v != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call of a function that ignores its context = %v, %v; want 0, an error wrapping context.DeadlineExceeded", v, err)
		}
		close(release) // f returns now: the goroutine running it must be able to end
	})
}

func TestTimeoutCancelsFunc(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		seen := make(chan error, 1)
		_, err := deadline.Call(context.Background(), 3*time.Second, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			seen <- ctx.Err()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call = %v, want an error wrapping context.DeadlineExceeded", err)
		}
		if got := <-seen; !errors.Is(got, context.DeadlineExceeded) {
			t.Errorf("f's context ended with %v, want context.DeadlineExceeded", got)
		}
	})
}

func TestParentCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		go func() {
			<-started
			cancel()
		}()
		_, err := deadline.Call(ctx, time.Hour, func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Call after the parent is cancelled = %v, want context.Canceled", err)
		}
	})
}

func TestContextReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inner context.Context
		v, err := deadline.Call(context.Background(), time.Hour, func(ctx context.Context) (bool, error) {
			inner = ctx
			return ctx.Err() == nil, nil
		})
		if !v || err != nil {
			t.Fatalf("Call = %v, %v; want true, nil (f's context live while f runs)", v, err)
		}
		if inner.Err() == nil {
			t.Errorf("the context given to f is still live after Call returned: cancel it when Call returns")
		}
	})
}

func TestTimeoutZeroValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type pair struct{ a, b int }
		release := make(chan struct{})
		defer close(release)
		v, err := deadline.Call(context.Background(), time.Millisecond, func(context.Context) (*pair, error) {
			<-release
			return &pair{1, 2}, nil
		})
		if v != nil || err == nil {
			t.Errorf("Call after its timeout = %v, %v; want nil and an error", v, err)
		}
	})
}
