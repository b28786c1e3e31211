package attest

import "github.com/peerproduction/ppl/internal/bounded"

// maxCacheEntries bounds the verification cache; when full it is emptied,
// which costs re-verification, never a wrong answer.
const maxCacheEntries = 1 << 14

// cacheKey names a signature check: the envelope bytes' SHA-256 and the
// trust generation it was made under. The cache keeps only time-independent
// facts; trust scope, validity windows and revocations are judged on every
// call.
type cacheKey struct {
	sum [32]byte
	gen uint64
}

func newVerifyCache() *bounded.Map[cacheKey, *sigResult] {
	return bounded.New[cacheKey, *sigResult](maxCacheEntries)
}

// ResetCache forgets every cached signature check, so the next Verify of
// any envelope checks signatures again (as for an envelope never seen).
func (t *Trust) ResetCache() { t.cache.Reset() }
