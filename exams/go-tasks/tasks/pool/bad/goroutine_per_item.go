package pool

import (
	"context"
	"sync"
)

// Map applies f to every element of in concurrently, results in order.
func Map[T, U any](ctx context.Context, in []T, workers int, f func(context.Context, T) (U, error)) ([]U, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]U, len(in))
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for i, x := range in {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ctx.Err() != nil {
				return
			}
			r, err := f(ctx, x)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = r
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
