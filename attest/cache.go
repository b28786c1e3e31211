package attest

import (
	"bytes"
	"crypto/sha256"
	"hash/maphash"
	"sync"
)

// The verification cache is bounded by entries and by bytes; when an entry
// would take it past either bound it is emptied, which costs
// re-verification, never a wrong answer.
const (
	maxCacheEntries = 1 << 14
	maxCacheBytes   = 64 << 20
	// entryOverhead is what an entry costs beyond the bytes it keeps
	// (map slot, result, envelope and error headers), rounded up.
	entryOverhead = 512
	// maxRefusalText bounds the error text a cached refusal keeps. An
	// error can quote the envelope (a key id, a duplicate member's name),
	// so a longer one is not cached: refusing that envelope again costs a
	// parse, while caching it would let refusals fill the cache with the
	// sender's bytes after all.
	maxRefusalText = 1 << 10
)

// cacheKey names a signature check: a seeded hash of the envelope bytes
// and the trust generation it was made under. The hash need only spread
// keys, not resist collisions: a hit counts only once the entry has been
// matched against the bytes themselves (verifyCache.get). The cache keeps
// only time-independent facts; trust scope, validity windows and
// revocations are judged on every call.
type cacheKey struct {
	sum uint64
	gen uint64
}

func (t *Trust) cacheKey(data []byte) cacheKey {
	return cacheKey{sum: maphash.Bytes(t.seed, data), gen: t.gen}
}

// verifyCache maps cache keys to signature checks. An accepted check (one
// with a trusted signature) keeps the envelope's bytes, compared on every
// hit, and what was parsed from them. A refusal keeps only the error and
// the SHA-256 of the bytes: an anonymous client can send refused envelopes
// without end, so each costs the cache a few hundred bytes, never the
// envelope (a refused 1 MiB envelope used to keep 1.7 MiB).
type verifyCache struct {
	mu    sync.Mutex
	m     map[cacheKey]*sigResult
	bytes int // the sum of the entries' size
}

func newVerifyCache() *verifyCache { return &verifyCache{} }

// cached returns the entry for key if it was made from data.
func (t *Trust) cached(key cacheKey, data []byte) (*sigResult, bool) {
	return t.cache.get(key, data)
}

func (c *verifyCache) get(key cacheKey, data []byte) (*sigResult, bool) {
	c.mu.Lock()
	res, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	if res.err != nil {
		// Hashed outside the lock: a refusal's bytes may be large.
		return res, sha256.Sum256(data) == res.sum
	}
	return res, bytes.Equal(res.raw, data)
}

// store keeps res for key: a refusal with the hash of data, an accepted
// check with its own copy of data, or with data itself when the caller
// handed it over (VerifyOptions.Owned).
func (t *Trust) store(key cacheKey, res *sigResult, data []byte, owned bool) {
	if res.err != nil {
		text := len(res.err.Error())
		if text > maxRefusalText {
			return
		}
		res.sum = sha256.Sum256(data)
		res.env, res.keys = nil, nil // judge reads only err
		res.size = entryOverhead + text
	} else {
		if owned {
			res.raw = data
		} else {
			res.raw = bytes.Clone(data)
		}
		// Owned bytes are counted too: the cache keeps them alive.
		res.size = entryOverhead + len(res.raw) + len(res.env.Payload) + len(res.env.Signatures)*sigCost
	}
	t.cache.put(key, res)
}

// sigCost is what a parsed signature keeps: its 64 bytes, a key id
// string header and a slice header, rounded up.
const sigCost = 128

func (c *verifyCache) put(key cacheKey, res *sigResult) {
	if res.size > maxCacheBytes {
		return // would empty the cache for one entry
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		c.bytes -= old.size
		delete(c.m, key)
	}
	if c.m == nil || len(c.m) >= maxCacheEntries || c.bytes+res.size > maxCacheBytes {
		c.m, c.bytes = make(map[cacheKey]*sigResult), 0
	}
	c.m[key] = res
	c.bytes += res.size
}

// usage reports the entries and bytes the cache holds.
func (c *verifyCache) usage() (entries, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
}

// ResetCache forgets every cached signature check, so the next Verify of
// any envelope checks signatures again (as for an envelope never seen).
func (t *Trust) ResetCache() {
	t.ready()
	t.cache.mu.Lock()
	defer t.cache.mu.Unlock()
	t.cache.m, t.cache.bytes = nil, 0
}
