package lruttl

import (
	"container/list"
	"time"
)

// Clock tells the current time; tests pass a fake one.
type Clock interface{ Now() time.Time }

type entry[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time
}

// Cache is an LRU cache whose entries expire ttl after they were last put.
type Cache[K comparable, V any] struct {
	capacity int
	ttl      time.Duration
	clock    Clock
	order    *list.List // front: most recently used
	items    map[K]*list.Element
}

// New returns an empty cache of at most capacity entries that live ttl after their last Put.
func New[K comparable, V any](capacity int, ttl time.Duration, clock Clock) *Cache[K, V] {
	return &Cache[K, V]{
		capacity: capacity,
		ttl:      ttl,
		clock:    clock,
		order:    list.New(),
		items:    make(map[K]*list.Element),
	}
}

func (c *Cache[K, V]) live(e *list.Element, now time.Time) bool {
	return now.Before(e.Value.(*entry[K, V]).expires)
}

func (c *Cache[K, V]) remove(e *list.Element) {
	c.order.Remove(e)
	delete(c.items, e.Value.(*entry[K, V]).key)
}

// Get returns key's value if it is present and live, and makes it the most recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	if !c.live(e, c.clock.Now()) {
		c.remove(e)
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).value, true
}

// Put sets key's value, restarts its life and makes it the most recently used.
func (c *Cache[K, V]) Put(key K, value V) {
	now := c.clock.Now()
	if e, ok := c.items[key]; ok {
		en := e.Value.(*entry[K, V])
		en.value, en.expires = value, now.Add(c.ttl)
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key, value, now.Add(c.ttl)})
	if c.order.Len() <= c.capacity {
		return
	}
	for e := c.order.Back(); e != nil; {
		prev := e.Prev()
		if !c.live(e, now) {
			c.remove(e)
		}
		e = prev
	}
	for c.order.Len() > c.capacity {
		c.remove(c.order.Back())
	}
}

// Len returns the number of live entries.
func (c *Cache[K, V]) Len() int {
	return len(c.Keys())
}

// Keys returns the live keys from most to least recently used.
func (c *Cache[K, V]) Keys() []K {
	now := c.clock.Now()
	keys := []K{}
	for e := c.order.Front(); e != nil; e = e.Next() {
		if c.live(e, now) {
			keys = append(keys, e.Value.(*entry[K, V]).key)
		}
	}
	return keys
}
