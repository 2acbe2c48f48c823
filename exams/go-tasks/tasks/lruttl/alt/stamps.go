package lruttl

import (
	"slices"
	"sync"
	"time"
)

// Clock tells the current time; tests pass a fake one.
type Clock interface{ Now() time.Time }

type slot[V any] struct {
	value   V
	expires time.Time
	used    uint64 // larger: used more recently
}

// Cache keeps a use counter per entry instead of a recency list.
type Cache[K comparable, V any] struct {
	mu    sync.RWMutex
	max   int
	ttl   time.Duration
	clock Clock
	tick  uint64
	slots map[K]*slot[V]
}

func New[K comparable, V any](capacity int, ttl time.Duration, clock Clock) *Cache[K, V] {
	return &Cache[K, V]{max: capacity, ttl: ttl, clock: clock, slots: map[K]*slot[V]{}}
}

func (c *Cache[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, found := c.slots[key]
	if !found || !c.clock.Now().Before(s.expires) {
		return value, false
	}
	c.tick++
	s.used = c.tick
	return s.value, true
}

func (c *Cache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	c.tick++
	c.slots[key] = &slot[V]{value: value, expires: now.Add(c.ttl), used: c.tick}
	if len(c.slots) <= c.max {
		return
	}
	for k, s := range c.slots {
		if !now.Before(s.expires) {
			delete(c.slots, k)
		}
	}
	for len(c.slots) > c.max {
		var oldest K
		first := true
		for k, s := range c.slots {
			if first || s.used < c.slots[oldest].used {
				oldest, first = k, false
			}
		}
		delete(c.slots, oldest)
	}
}

func (c *Cache[K, V]) Len() int {
	return len(c.Keys())
}

func (c *Cache[K, V]) Keys() []K {
	c.mu.RLock()
	defer c.mu.RUnlock()
	now := c.clock.Now()
	var keys []K
	for k, s := range c.slots {
		if now.Before(s.expires) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b K) int { return -cmpUint(c.slots[a].used, c.slots[b].used) })
	return keys
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
