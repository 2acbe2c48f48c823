package counter

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// Counter keeps one atomic integer per key in a sync.Map: no mutex.
type Counter struct {
	counts sync.Map // string -> *atomic.Int64
}

func New() *Counter { return &Counter{} }

func (c *Counter) Add(key string, n int) {
	v, _ := c.counts.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(int64(n))
}

func (c *Counter) Get(key string) int {
	if v, ok := c.counts.Load(key); ok {
		return int(v.(*atomic.Int64).Load())
	}
	return 0
}

func (c *Counter) Snapshot() map[string]int {
	out := map[string]int{}
	c.counts.Range(func(k, v any) bool {
		out[k.(string)] = int(v.(*atomic.Int64).Load())
		return true
	})
	return out
}

func (c *Counter) Top(k int) []string {
	type kv struct {
		key string
		n   int
	}
	var all []kv
	for key, n := range c.Snapshot() {
		all = append(all, kv{key, n})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.key, b.key)) })
	out := []string{}
	for i := 0; i < k && i < len(all); i++ {
		out = append(out, all[i].key)
	}
	return out
}
