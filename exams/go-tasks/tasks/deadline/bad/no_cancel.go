package deadline

import (
	"context"
	"fmt"
	"time"
)

type result[T any] struct {
	value T
	err   error
}

// Call runs f with a timeout and returns its result or the context's error.
func Call[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, _ = context.WithTimeout(ctx, timeout)
	done := make(chan result[T], 1) // buffered: f's goroutine never blocks on it
	go func() {
		v, err := f(ctx)
		done <- result[T]{v, err}
	}()
	select {
	case r := <-done:
		return r.value, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("call abandoned after %v: %w", timeout, ctx.Err())
	}
}
