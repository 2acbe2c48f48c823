package firstof

import (
	"context"
	"errors"
	"sync"
)

// First lets the goroutines record their own outcome under a mutex; the first success cancels
// the rest at once, and First reads the outcome after every goroutine is done.
func First[T any](ctx context.Context, fns ...func(context.Context) (T, error)) (T, error) {
	var (
		zero   T
		mu     sync.Mutex
		won    bool
		winner T
		errs   = make([]error, len(fns))
		wg     sync.WaitGroup
	)
	if len(fns) == 0 {
		return zero, errors.New("firstof: nothing to run")
	}
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Add(len(fns))
	for i, fn := range fns {
		go func() {
			defer wg.Done()
			v, err := fn(inner)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs[i] = err
			case !won:
				won, winner = true, v
				cancel()
			}
		}()
	}
	wg.Wait()
	if won {
		return winner, nil
	}
	if ctx.Err() != nil {
		return zero, ctx.Err()
	}
	return zero, errors.Join(errs...)
}
