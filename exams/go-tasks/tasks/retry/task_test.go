package retry_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gotasks/retry"
)

// recorder is a Sleeper that never waits: it records the delays and, optionally, cancels on the n-th call.
type recorder struct {
	delays   []time.Duration
	cancelAt int
	cancel   context.CancelFunc
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.delays = append(r.delays, d)
	if r.cancel != nil && len(r.delays) == r.cancelAt {
		r.cancel()
	}
	return ctx.Err()
}

var errFlaky = errors.New("flaky")

func failing(n int, calls *int) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if *calls <= n {
			return fmt.Errorf("call %d: %w", *calls, errFlaky)
		}
		return nil
	}
}

func TestSucceedsAfterRetries(t *testing.T) {
	var r recorder
	calls := 0
	err := retry.Do(context.Background(), 5, 10*time.Millisecond, time.Second, r.sleep, failing(2, &calls))
	if err != nil || calls != 3 {
		t.Errorf("Do = %v after %d calls, want nil after 3", err, calls)
	}
	if want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}; !reflect.DeepEqual(r.delays, want) {
		t.Errorf("delays = %v, want %v", r.delays, want)
	}
}

func TestBackoffCapped(t *testing.T) {
	var r recorder
	calls := 0
	err := retry.Do(context.Background(), 6, time.Second, 5*time.Second, r.sleep, failing(100, &calls))
	if !errors.Is(err, errFlaky) || calls != 6 {
		t.Errorf("Do = %v after %d calls, want the last flaky error after 6", err, calls)
	}
	if err != nil && err.Error() != "call 6: flaky" {
		t.Errorf("Do returned %q, want the last error %q", err, "call 6: flaky")
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if !reflect.DeepEqual(r.delays, want) {
		t.Errorf("delays = %v, want %v (no sleep after the last attempt)", r.delays, want)
	}
}

func TestPermanentStops(t *testing.T) {
	var r recorder
	calls := 0
	perm := &retry.Permanent{Err: errors.New("bad request")}
	err := retry.Do(context.Background(), 5, time.Millisecond, time.Second, r.sleep, func(context.Context) error {
		calls++
		return perm
	})
	if calls != 1 || err == nil || err.Error() != "bad request" {
		t.Errorf("Do = %v after %d calls, want %q after 1", err, calls, "bad request")
	}
}

func TestPermanentWrapped(t *testing.T) {
	var r recorder
	calls := 0
	err := retry.Do(context.Background(), 5, time.Millisecond, time.Second, r.sleep, func(context.Context) error {
		calls++
		return fmt.Errorf("upload: %w", &retry.Permanent{Err: errors.New("quota")})
	})
	var p *retry.Permanent
	if calls != 1 || !errors.As(err, &p) {
		t.Errorf("Do = %v after %d calls, want the wrapped permanent error after 1", err, calls)
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var r recorder
	calls := 0
	err := retry.Do(ctx, 3, time.Millisecond, time.Second, r.sleep, failing(0, &calls))
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("Do on a cancelled context = %v after %d calls, want context.Canceled after 0", err, calls)
	}
}

func TestCancelDuringSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := recorder{cancelAt: 2, cancel: cancel}
	calls := 0
	err := retry.Do(ctx, 10, time.Millisecond, time.Second, r.sleep, failing(100, &calls))
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Errorf("Do cancelled in the 2nd sleep = %v after %d calls, want context.Canceled after 2", err, calls)
	}
}
