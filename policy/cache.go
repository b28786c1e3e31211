package policy

import (
	"sync"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// maxDecoded bounds the evaluator's cache of decoded evidence; when full it
// is emptied, which costs decoding again, never a wrong answer.
const maxDecoded = 1 << 15

// decoded is a verified contribution or membership statement, decoded
// once. Decoding depends only on the statement bytes (named by their
// digest) and the evaluator's commons, so it can be shared by requests.
type decoded struct {
	contribution *contribution.Contribution
	membership   *contribution.Membership
	err          error
}

type decodeCache struct {
	mu sync.Mutex
	m  map[string]*decoded
}

func (c *decodeCache) get(digest string) *decoded {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[digest]
}

func (c *decodeCache) put(digest string, d *decoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxDecoded {
		c.m = make(map[string]*decoded)
	}
	c.m[digest] = d
}

// decode decodes a verified contribution or membership, through the cache.
func (e *Evaluator) decode(v *attest.Verified, reg contribution.Registry) *decoded {
	if d := e.decoded.get(v.Digest); d != nil {
		return d
	}
	d := &decoded{}
	if v.Statement.PredicateType == contribution.ContributionPredicateType {
		c, err := contribution.DecodeContribution(v, reg)
		d.contribution, d.err = &c, err
	} else {
		m, err := contribution.DecodeMembership(v)
		d.membership, d.err = &m, err
	}
	e.decoded.put(v.Digest, d)
	return d
}
