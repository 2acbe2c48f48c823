package deadline

import (
	"context"
	"fmt"
	"time"
)

// call holds f's result; finished is closed (never sent on) once it is filled in.
type call[T any] struct {
	finished chan struct{}
	value    T
	err      error
}

// Call waits for whichever closes first: f's finished channel or the context.
func Call[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	child, cancel := context.WithDeadline(ctx, time.Now().Add(timeout))
	defer cancel()
	c := &call[T]{finished: make(chan struct{})}
	go func() {
		defer close(c.finished)
		c.value, c.err = f(child)
	}()
	select {
	case <-c.finished:
		return c.value, c.err
	case <-child.Done():
	}
	var zero T
	return zero, fmt.Errorf("deadline: gave up waiting: %w", child.Err())
}
