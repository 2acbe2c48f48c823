package fanin

import (
	"context"
	"reflect"
)

// Merge runs one goroutine that waits on every open input and ctx at once with reflect.Select.
func Merge[T any](ctx context.Context, inputs ...<-chan T) <-chan T {
	out := make(chan T)
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
	for _, in := range inputs {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(in)})
	}
	go func() {
		defer close(out)
		for len(cases) > 1 {
			i, v, ok := reflect.Select(cases)
			if i == 0 {
				return // ctx is done
			}
			if !ok {
				cases = append(cases[:i], cases[i+1:]...)
				continue
			}
			select {
			case out <- v.Interface().(T):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
