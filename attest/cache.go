package attest

import (
	"bytes"
	"hash/maphash"

	"github.com/peerproduction/ppl/internal/bounded"
)

// maxCacheEntries bounds the verification cache; when full it is emptied,
// which costs re-verification, never a wrong answer.
const maxCacheEntries = 1 << 14

// cacheKey names a signature check: a seeded hash of the envelope bytes
// and the trust generation it was made under. An entry keeps the bytes it
// was made from, and a hit counts only when they are equal, so the hash
// need only spread keys, not resist collisions (a collision costs a
// re-verification). The cache keeps only time-independent facts; trust
// scope, validity windows and revocations are judged on every call.
type cacheKey struct {
	sum uint64
	gen uint64
}

func (t *Trust) cacheKey(data []byte) cacheKey {
	return cacheKey{sum: maphash.Bytes(t.seed, data), gen: t.gen}
}

// cached returns the entry for key if it was made from data.
func (t *Trust) cached(key cacheKey, data []byte) (*sigResult, bool) {
	res, ok := t.cache.Get(key)
	if !ok || !bytes.Equal(res.raw, data) {
		return nil, false
	}
	return res, true
}

// store keeps res for key with its own copy of data, or with data itself
// when the caller handed it over (VerifyOptions.Owned).
func (t *Trust) store(key cacheKey, res *sigResult, data []byte, owned bool) {
	if owned {
		res.raw = data
	} else {
		res.raw = bytes.Clone(data)
	}
	t.cache.Put(key, res)
}

func newVerifyCache() *bounded.Map[cacheKey, *sigResult] {
	return bounded.New[cacheKey, *sigResult](maxCacheEntries)
}

// ResetCache forgets every cached signature check, so the next Verify of
// any envelope checks signatures again (as for an envelope never seen).
func (t *Trust) ResetCache() { t.cache.Reset() }
