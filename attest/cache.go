package attest

import "sync"

// maxCacheEntries bounds the verification cache; when full it is emptied,
// which costs re-verification, never a wrong answer.
const maxCacheEntries = 1 << 14

type cacheKey struct {
	sum [32]byte
	gen uint64
}

// verifyCache remembers signature checks by envelope bytes and trust
// generation. Only time-independent facts are kept; trust scope, validity
// windows and revocations are judged on every call.
type verifyCache struct {
	mu sync.Mutex
	m  map[cacheKey]*sigResult
}

func (c *verifyCache) get(k cacheKey) (*sigResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok
}

func (c *verifyCache) put(k cacheKey, r *sigResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCacheEntries {
		c.m = make(map[cacheKey]*sigResult)
	}
	c.m[k] = r
}

// ResetCache forgets every cached signature check, so the next Verify of
// any envelope checks signatures again (as for an envelope never seen).
func (t *Trust) ResetCache() {
	t.cache.mu.Lock()
	defer t.cache.mu.Unlock()
	t.cache.m = nil
}
