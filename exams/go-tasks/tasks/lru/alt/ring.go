package lru

// node is an entry in a circular doubly linked list around a sentinel.
type node[K comparable, V any] struct {
	key        K
	value      V
	prev, next *node[K, V]
}

// Cache keeps its own circular list: root.next is the most recently used, root.prev the least.
type Cache[K comparable, V any] struct {
	capacity int
	root     node[K, V]
	index    map[K]*node[K, V]
}

// New returns an empty cache of the given capacity.
func New[K comparable, V any](capacity int) *Cache[K, V] {
	c := &Cache[K, V]{capacity: capacity, index: make(map[K]*node[K, V], capacity)}
	c.root.prev, c.root.next = &c.root, &c.root
	return c
}

func (c *Cache[K, V]) unlink(n *node[K, V]) {
	n.prev.next, n.next.prev = n.next, n.prev
}

func (c *Cache[K, V]) pushFront(n *node[K, V]) {
	n.prev, n.next = &c.root, c.root.next
	c.root.next.prev = n
	c.root.next = n
}

// Get returns the value for key and moves it to the front.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	n, ok := c.index[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(n)
	c.pushFront(n)
	return n.value, true
}

// Put sets key's value at the front, evicting from the back past capacity.
func (c *Cache[K, V]) Put(key K, value V) {
	if n, ok := c.index[key]; ok {
		n.value = value
		c.unlink(n)
		c.pushFront(n)
		return
	}
	if len(c.index) == c.capacity {
		oldest := c.root.prev
		c.unlink(oldest)
		delete(c.index, oldest.key)
	}
	n := &node[K, V]{key: key, value: value}
	c.pushFront(n)
	c.index[key] = n
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int { return len(c.index) }

// Keys walks the list from the front.
func (c *Cache[K, V]) Keys() []K {
	keys := make([]K, 0, len(c.index))
	for n := c.root.next; n != &c.root; n = n.next {
		keys = append(keys, n.key)
	}
	return keys
}
