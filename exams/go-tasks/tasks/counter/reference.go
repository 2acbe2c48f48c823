package counter

import (
	"sort"
	"sync"
)

// Counter is a set of named counters safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	counts map[string]int
}

// New returns an empty Counter.
func New() *Counter { return &Counter{counts: map[string]int{}} }

// Add adds n to key's counter.
func (c *Counter) Add(key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[key] += n
}

// Get returns key's counter.
func (c *Counter) Get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[key]
}

// Snapshot returns a copy of all counters.
func (c *Counter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// Top returns the k keys with the highest values, ties alphabetical.
func (c *Counter) Top(k int) []string {
	snap := c.Snapshot()
	keys := make([]string, 0, len(snap))
	for key := range snap {
		keys = append(keys, key)
	}
	sort.Slice(keys, func(i, j int) bool {
		if snap[keys[i]] != snap[keys[j]] {
			return snap[keys[i]] > snap[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys[:min(max(k, 0), len(keys))]
}
