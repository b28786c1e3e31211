package policy

import (
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
	c            contribution.Contribution // what contribution points to, in the same allocation
}

// decode decodes a verified contribution or membership, through the cache.
func (e *Evaluator) decode(v *attest.Verified, reg contribution.Registry) *decoded {
	if d, ok := e.decoded.Get(v.Digest); ok {
		return d
	}
	d := &decoded{}
	if v.Statement.PredicateType == contribution.ContributionPredicateType {
		d.c, d.err = contribution.DecodeContribution(v, reg)
		d.contribution = &d.c
	} else {
		m, err := contribution.DecodeMembership(v)
		d.membership, d.err = &m, err
	}
	e.decoded.Put(v.Digest, d)
	return d
}
