package pipeline_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"gotasks/pipeline"
)

// Every test runs in a synctest bubble: it fails if any goroutine is still blocked when the
// test ends, so a goroutine that Generate or Map leaks fails the test.

func drain[T any](ch <-chan T) []T {
	var out []T
	for v := range ch {
		out = append(out, v)
	}
	return out
}

// forever sends 0, 1, 2, ... until ctx is done, then closes its channel.
func forever(ctx context.Context) <-chan int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; ; i++ {
			select {
			case ch <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

func square(_ context.Context, x int) int { return x * x }

func TestGenerate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if got := drain(pipeline.Generate(context.Background(), "a", "b", "c")); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Errorf("Generate(a, b, c) sent %q", got)
		}
		if got := drain(pipeline.Generate[int](context.Background())); len(got) != 0 {
			t.Errorf("Generate() sent %v, want nothing", got)
		}
	})
}

func TestGenerateCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		ch := pipeline.Generate(ctx, 1, 2, 3, 4)
		if v := <-ch; v != 1 {
			t.Errorf("first value %d, want 1", v)
		}
		cancel()
		synctest.Wait() // the generator must have stopped without anyone reading
		if rest := drain(ch); len(rest) > 0 {
			t.Errorf("after cancel the generator still sent %v", rest)
		}
	})
}

func TestMapAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := pipeline.Generate(context.Background(), 1, 2, 3, 4, 5, 6, 7)
		got := drain(pipeline.Map(context.Background(), in, 3, square))
		slices.Sort(got) // the order is TestOrdered's check
		if !slices.Equal(got, []int{1, 4, 9, 16, 25, 36, 49}) {
			t.Errorf("Map(square) sent %v (sorted), want [1 4 9 16 25 36 49]", got)
		}
		empty := pipeline.Generate[int](context.Background())
		if got := drain(pipeline.Map(context.Background(), empty, 2, square)); len(got) != 0 {
			t.Errorf("Map of no input = %v", got)
		}
	})
}

func TestOrdered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gates := make([]chan struct{}, 6)
		for i := range gates {
			gates[i] = make(chan struct{})
		}
		in := pipeline.Generate(context.Background(), 0, 1, 2, 3, 4, 5)
		out := pipeline.Map(context.Background(), in, 3, func(_ context.Context, x int) int {
			<-gates[x]
			return x * 10
		})
		done := make(chan []int)
		go func() { done <- drain(out) }()
		for _, i := range []int{2, 1, 0, 5, 4, 3} { // finish the calls out of order
			synctest.Wait()
			close(gates[i])
		}
		if got := <-done; !slices.Equal(got, []int{0, 10, 20, 30, 40, 50}) {
			t.Errorf("Map sent %v, want the input order [0 10 20 30 40 50]", got)
		}
	})
}

func TestBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		running, most := 0, 0
		release := make(chan struct{})
		in := pipeline.Generate(context.Background(), slices.Repeat([]int{1}, 10)...)
		out := pipeline.Map(context.Background(), in, 3, func(_ context.Context, x int) int {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return x
		})
		synctest.Wait()
		mu.Lock()
		now := running
		mu.Unlock()
		if now != 3 {
			t.Errorf("%d calls running at once with workers=3 and 10 inputs waiting, want 3", now)
		}
		close(release)
		if got := drain(out); len(got) != 10 || most > 3 {
			t.Errorf("%d results (want 10), at most %d calls at once (want <= 3)", len(got), most)
		}
	})
}

func TestCancelStopsAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		out := pipeline.Map(ctx, forever(ctx), 4, square)
		for i := 0; i < 3; i++ {
			if v, ok := <-out; !ok {
				t.Fatalf("output closed after %d results, before cancel", i)
			} else if r := int(math.Sqrt(float64(v))); r*r != v {
				t.Errorf("result %d is not a square", v)
			}
		}
		cancel()
		drain(out) // must be closed; every goroutine must end
	})
}

func TestCancelWithoutReader(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		pipeline.Map(ctx, forever(ctx), 2, square) // nobody reads the results
		synctest.Wait()
		cancel() // every goroutine must end although nobody reads
	})
}

func TestCancelIdleInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		in := make(chan int) // never sent on, never closed
		out := pipeline.Map(ctx, in, 2, square)
		synctest.Wait()
		cancel()
		if got := drain(out); len(got) != 0 {
			t.Errorf("Map of an idle input sent %v", got)
		}
	})
}
