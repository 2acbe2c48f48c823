package pool

import (
	"context"
	"sync"
)

// Map applies f to every element of in with at most workers concurrent calls, results in order.
func Map[T, U any](ctx context.Context, in []T, workers int, f func(context.Context, T) (U, error)) ([]U, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]U, len(in))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for w := 0; w < min(workers, len(in)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					continue // cancelled: start nothing new, drain the jobs
				}
				r, err := f(ctx, in[i])
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				results[i] = r
			}
		}()
	}
feed:
	for i := range in {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
