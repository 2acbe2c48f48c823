package fanin

import (
	"context"
	"sync"
)

// Merge forwards the values of all inputs to one channel, closed when all inputs are done or ctx is.
func Merge[T any](ctx context.Context, inputs ...<-chan T) <-chan T {
	out := make(chan T)
	var once sync.Once
	for _, in := range inputs {
		go func() {
			defer once.Do(func() { close(out) })
			for {
				select {
				case <-ctx.Done():
					return
				case v, ok := <-in:
					if !ok {
						return
					}
					select {
					case out <- v:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	return out
}
