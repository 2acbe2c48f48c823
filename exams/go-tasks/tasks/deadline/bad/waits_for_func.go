package deadline

import (
	"context"
	"fmt"
	"time"
)

// Call runs f with a timeout and returns its result or the context's error.
func Call[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := f(ctx)
	if ctxErr := ctx.Err(); ctxErr != nil {
		var zero T
		return zero, fmt.Errorf("call abandoned after %v: %w", timeout, ctxErr)
	}
	return v, err
}
