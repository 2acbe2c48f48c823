package lruttl_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gotasks/lruttl"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestPutGet(t *testing.T) {
	c := lruttl.New[string, int](2, time.Minute, newClock())
	if v, ok := c.Get("a"); ok || v != 0 {
		t.Fatalf("Get on an empty cache = %v, %v; want 0, false", v, ok)
	}
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("a", 3)
	if v, ok := c.Get("a"); !ok || v != 3 {
		t.Errorf("Get(a) = %v, %v; want 3, true", v, ok)
	}
	if v, ok := c.Get("b"); !ok || v != 2 {
		t.Errorf("Get(b) = %v, %v; want 2, true", v, ok)
	}
	if c.Len() != 2 {
		t.Errorf("Len() = %d, want 2", c.Len())
	}
}

func TestExpiresAtTTL(t *testing.T) {
	clock := newClock()
	c := lruttl.New[string, int](4, 10*time.Second, clock)
	c.Put("a", 1)
	clock.Advance(10*time.Second - time.Nanosecond)
	if _, ok := c.Get("a"); !ok {
		t.Fatalf("entry missing 1ns before its ttl ran out")
	}
	clock.Advance(time.Nanosecond)
	if v, ok := c.Get("a"); ok || v != 0 {
		t.Errorf("Get at exactly put time + ttl = %v, %v; want 0, false (expired)", v, ok)
	}
	if c.Len() != 0 || len(c.Keys()) != 0 {
		t.Errorf("after expiry Len() = %d, Keys() = %v; want 0, []", c.Len(), c.Keys())
	}
}

func TestGetDoesNotExtend(t *testing.T) {
	clock := newClock()
	c := lruttl.New[string, int](4, 10*time.Second, clock)
	c.Put("a", 1)
	for i := 0; i < 3; i++ {
		clock.Advance(3 * time.Second)
		if _, ok := c.Get("a"); !ok {
			t.Fatalf("entry missing %ds after its Put, ttl 10s", 3*(i+1))
		}
	}
	clock.Advance(time.Second)
	if _, ok := c.Get("a"); ok {
		t.Errorf("entry still live 10s after its only Put: Get must not extend its life")
	}
}

func TestPutRestartsLife(t *testing.T) {
	clock := newClock()
	c := lruttl.New[string, int](4, 10*time.Second, clock)
	c.Put("a", 1)
	clock.Advance(8 * time.Second)
	c.Put("a", 2)
	clock.Advance(8 * time.Second)
	if v, ok := c.Get("a"); !ok || v != 2 {
		t.Errorf("Get 8s after a second Put = %v, %v; want 2, true", v, ok)
	}
	clock.Advance(2 * time.Second)
	if _, ok := c.Get("a"); ok {
		t.Errorf("entry live 10s after its last Put")
	}
}

func TestEvictsLeastRecent(t *testing.T) {
	c := lruttl.New[int, string](3, time.Hour, newClock())
	c.Put(1, "one")
	c.Put(2, "two")
	c.Put(3, "three")
	c.Get(1)
	c.Put(4, "four")
	if _, ok := c.Get(2); ok {
		t.Errorf("key 2 was least recently used and should have been evicted")
	}
	if got, want := c.Keys(), []int{4, 1, 3}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

func TestExpiredDroppedFirst(t *testing.T) {
	clock := newClock()
	c := lruttl.New[string, int](2, 10*time.Second, clock)
	c.Put("old", 1)
	clock.Advance(5 * time.Second)
	c.Put("young", 2)
	clock.Advance(4 * time.Second)
	c.Get("old") // old is now the most recently used, young the least
	clock.Advance(2 * time.Second)
	// old expired (put 11s ago); young is live but least recently used.
	c.Put("new", 3)
	if v, ok := c.Get("young"); !ok || v != 2 {
		t.Errorf("Get(young) = %v, %v; want 2, true: the expired entry goes before a live one", v, ok)
	}
	if got, want := c.Keys(), []string{"young", "new"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

func TestLenAndKeysSkipExpired(t *testing.T) {
	clock := newClock()
	c := lruttl.New[int, int](5, 10*time.Second, clock)
	for i := 1; i <= 4; i++ {
		c.Put(i, i)
		clock.Advance(4 * time.Second)
	}
	// Puts at 0s, 4s, 8s, 12s; now 16s: keys 1 and 2 expired.
	if c.Len() != 2 {
		t.Errorf("Len() = %d, want 2", c.Len())
	}
	if got, want := c.Keys(), []int{4, 3}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
	c.Put(5, 5)
	c.Put(6, 6)
	c.Put(7, 7)
	if got, want := c.Keys(), []int{7, 6, 5, 4, 3}; !slices.Equal(got, want) {
		t.Errorf("Keys() after three more Puts = %v, want %v", got, want)
	}
}

// TestConcurrentUse is the only test that calls from several goroutines: they start together and
// share nothing but the Cache, so -race reports any unsynchronised access in it.
func TestConcurrentUse(t *testing.T) {
	clock := newClock()
	c := lruttl.New[string, int](16, time.Minute, clock)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < 100; i++ {
				c.Put(fmt.Sprintf("k%d", (g*7+i)%24), i)
				c.Get(fmt.Sprintf("k%d", i%24))
				_ = c.Len()
			}
			_ = c.Keys()
		}()
	}
	close(start)
	wg.Wait()
	if n := c.Len(); n != 16 {
		t.Errorf("Len() = %d after many concurrent Puts of 24 keys into 16 slots, want 16", n)
	}
}
