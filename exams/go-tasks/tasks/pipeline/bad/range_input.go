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
		for _, v := range values {
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

type job[T, U any] struct {
	value  T
	result chan U // buffered (1): a worker never blocks on it
}

// Map applies f on up to workers goroutines and sends the results in input order.
func Map[T, U any](ctx context.Context, in <-chan T, workers int, f func(context.Context, T) U) <-chan U {
	jobs := make(chan job[T, U])
	pending := make(chan chan U, workers) // the result channels in input order
	out := make(chan U)

	go func() { // dispatcher: reads in, queues each result slot, hands the job to a worker
		defer close(jobs)
		defer close(pending)
		for v := range in {
			j := job[T, U]{v, make(chan U, 1)}
			select {
			case pending <- j.result:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.result <- f(ctx, j.value)
			}
		}()
	}

	go func() { // collector: waits for each result in input order
		defer close(out)
		for result := range pending {
			var u U
			select {
			case u = <-result:
			case <-ctx.Done():
				return
			}
			select {
			case out <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
