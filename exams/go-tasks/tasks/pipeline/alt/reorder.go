package pipeline

import (
	"context"
	"sync"
)

// Generate sends values in order on the returned channel, then closes it.
func Generate[T any](ctx context.Context, values ...T) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		for i := 0; i < len(values) && ctx.Err() == nil; i++ {
			select {
			case out <- values[i]:
			case <-ctx.Done():
			}
		}
	}()
	return out
}

type indexed[V any] struct {
	seq   int
	value V
}

// Map numbers the inputs, lets the workers send (number, result) pairs as they finish, and
// reorders them with a map of early results.
func Map[T, U any](ctx context.Context, in <-chan T, workers int, f func(context.Context, T) U) <-chan U {
	jobs := make(chan indexed[T])
	results := make(chan indexed[U])
	out := make(chan U)

	go func() {
		defer close(jobs)
		for seq := 0; ; seq++ {
			select {
			case v, ok := <-in:
				if !ok {
					return
				}
				select {
				case jobs <- indexed[T]{seq, v}:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for j := range jobs {
				select {
				case results <- indexed[U]{j.seq, f(ctx, j.value)}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	go func() {
		defer close(out)
		early := map[int]U{}
		next := 0
		for r := range results {
			early[r.seq] = r.value
			for {
				u, ok := early[next]
				if !ok {
					break
				}
				delete(early, next)
				next++
				select {
				case out <- u:
				case <-ctx.Done():
					for range results { // let the workers finish
					}
					return
				}
			}
		}
	}()
	return out
}
