package counter_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"gotasks/counter"
)

// TestConcurrentAdds is the only test that calls from several goroutines: they start together
// and share nothing but the Counter, so -race reports any unsynchronised access in it.
func TestConcurrentAdds(t *testing.T) {
	c := counter.New()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < 200; i++ {
				c.Add("shared", 1)
				c.Add(fmt.Sprintf("own-%d", g), 2)
				_ = c.Get("shared")
			}
			_ = c.Snapshot()
			_ = c.Top(2)
		}()
	}
	close(start)
	wg.Wait()
	if got := c.Get("shared"); got != 1600 {
		t.Errorf("shared = %d after 8 x 200 concurrent Adds, want 1600", got)
	}
	if got := c.Get("own-3"); got != 400 {
		t.Errorf("own-3 = %d, want 400", got)
	}
}

func TestAddGet(t *testing.T) {
	c := counter.New()
	if got := c.Get("missing"); got != 0 {
		t.Errorf("Get(missing) = %d, want 0", got)
	}
	c.Add("a", 5)
	c.Add("a", -2)
	c.Add("b", 1)
	if c.Get("a") != 3 || c.Get("b") != 1 {
		t.Errorf("a = %d, b = %d; want 3, 1", c.Get("a"), c.Get("b"))
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	c := counter.New()
	c.Add("x", 1)
	snap := c.Snapshot()
	if !reflect.DeepEqual(snap, map[string]int{"x": 1}) {
		t.Fatalf("Snapshot() = %v, want map[x:1]", snap)
	}
	snap["x"] = 100
	snap["y"] = 7
	if c.Get("x") != 1 || c.Get("y") != 0 {
		t.Errorf("changing the snapshot changed the counter: x = %d, y = %d", c.Get("x"), c.Get("y"))
	}
}

func TestTop(t *testing.T) {
	c := counter.New()
	for key, n := range map[string]int{"go": 5, "rust": 3, "zig": 3, "c": 3, "ada": 1, "lua": 4} {
		c.Add(key, n)
	}
	if got, want := c.Top(4), []string{"go", "lua", "c", "rust"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Top(4) = %v, want %v", got, want)
	}
	if got := c.Top(10); len(got) != 6 {
		t.Errorf("Top(10) returned %d keys, want all 6", len(got))
	}
	if got := c.Top(0); len(got) != 0 {
		t.Errorf("Top(0) = %v, want empty", got)
	}
}
