package lru_test

import (
	"reflect"
	"testing"

	"gotasks/lru"
)

func TestPutGet(t *testing.T) {
	c := lru.New[string, int](2)
	if _, ok := c.Get("a"); ok {
		t.Fatalf("Get on an empty cache reported a hit")
	}
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Errorf("Get(a) = %v, %v; want 1, true", v, ok)
	}
	if c.Len() != 2 {
		t.Errorf("Len() = %d, want 2", c.Len())
	}
}

func TestEvictsLeastRecent(t *testing.T) {
	c := lru.New[int, string](2)
	c.Put(1, "one")
	c.Put(2, "two")
	c.Put(3, "three")
	if _, ok := c.Get(1); ok {
		t.Errorf("key 1 should have been evicted")
	}
	if got := c.Keys(); !reflect.DeepEqual(got, []int{3, 2}) {
		t.Errorf("Keys() = %v, want [3 2]", got)
	}
}

func TestGetRefreshes(t *testing.T) {
	c := lru.New[int, int](2)
	c.Put(1, 10)
	c.Put(2, 20)
	c.Get(1)
	c.Put(3, 30)
	if _, ok := c.Get(1); !ok {
		t.Errorf("key 1 was read last and should have survived")
	}
	if _, ok := c.Get(2); ok {
		t.Errorf("key 2 was least recently used and should have been evicted")
	}
}

func TestUpdateExisting(t *testing.T) {
	c := lru.New[string, int](3)
	c.Put("a", 1)
	c.Put("a", 2)
	c.Put("a", 3)
	if c.Len() != 1 {
		t.Errorf("Len() after three Puts of one key = %d, want 1", c.Len())
	}
	if v, _ := c.Get("a"); v != 3 {
		t.Errorf("Get(a) = %d, want 3", v)
	}
}

func TestEvictionSequence(t *testing.T) {
	c := lru.New[string, int](3)
	for i, k := range []string{"a", "b", "c", "a", "d", "b", "e"} {
		if k == "a" || k == "b" {
			if _, ok := c.Get(k); !ok {
				c.Put(k, i)
			}
		} else {
			c.Put(k, i)
		}
	}
	c.Put("c", 99)
	c.Put("c", 100)
	want := []string{"c", "e", "b"}
	if got := c.Keys(); !reflect.DeepEqual(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
}

func TestCapacityOne(t *testing.T) {
	c := lru.New[int, int](1)
	for i := 0; i < 5; i++ {
		c.Put(i, i)
	}
	if got := c.Keys(); !reflect.DeepEqual(got, []int{4}) || c.Len() != 1 {
		t.Errorf("Keys() = %v, Len() = %d; want [4], 1", got, c.Len())
	}
}
