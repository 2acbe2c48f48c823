package firstof

import (
	"context"
	"errors"
	"sync"
)

type result[T any] struct {
	value T
	err   error
}

// First returns the first successful result of fns, cancelling the others.
func First[T any](ctx context.Context, fns ...func(context.Context) (T, error)) (T, error) {
	var zero T
	if len(fns) == 0 {
		return zero, errors.New("firstof: no functions")
	}
	inner, cancel := context.WithCancel(ctx)
	results := make(chan result[T], len(fns))
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := fn(inner)
			results <- result[T]{v, err}
		}()
	}
	defer wg.Wait()
	defer cancel()
	for range fns {
		r := <-results
		return r.value, r.err
	}
	return zero, ctx.Err()
}
