// Package bounded is a small concurrency-safe map with a size bound, for
// caches whose loss costs only recomputation: when full it is emptied, so
// memory stays bounded without bookkeeping, and a miss is never a wrong
// answer.
package bounded

import "sync"

// Map is a bounded map from K to V. The zero value is not ready: use New.
type Map[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]V
}

// New returns a map holding at most max entries.
func New[K comparable, V any](max int) *Map[K, V] {
	return &Map[K, V]{max: max}
}

// Get returns the value for k.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Put stores v for k, first emptying the map if it is full.
func (c *Map[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[K]V)
	}
	c.m[k] = v
}

// Len reports how many entries the map holds.
func (c *Map[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Reset empties the map.
func (c *Map[K, V]) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
