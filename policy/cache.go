package policy

import (
	"crypto/ed25519"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// maxDecoded bounds the evaluator's cache of decoded evidence; when full it
// is emptied, which costs decoding again, never a wrong answer.
const maxDecoded = 1 << 15

// decoded is a verified contribution or membership statement, decoded
// once. Decoding reads the statement, the evaluator's commons and who
// signed: a contribution counts only with a steward among the trusted
// signers, a membership only in an envelope its member signed. The cache
// key (decodeKey) therefore names the statement and the envelope's
// signatures, so one envelope's answer is never another's.
type decoded struct {
	contribution *contribution.Contribution
	membership   *contribution.Membership
	err          error
	c            contribution.Contribution // what contribution points to, in the same allocation
}

// decode decodes a verified contribution or membership, through the cache.
func (e *Evaluator) decode(v *attest.Verified, reg contribution.Registry) *decoded {
	k := decodeKey(v)
	if d, ok := e.decoded.Get(k); ok {
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
	e.decoded.Put(k, d)
	return d
}

// decodeKey is everything a decoding depends on besides the evaluator: the
// statement digest, the trusted signers, and the envelope's payload type
// and signatures (a member's co-signature is checked on the envelope, not
// through the Trust). Signatures are 64 bytes and key ids hold no NUL, so
// the parts cannot run into each other.
func decodeKey(v *attest.Verified) string {
	n := len(v.Digest) + 2
	for _, s := range v.Signers {
		n += len(s) + 1
	}
	if v.Envelope != nil {
		n += len(v.Envelope.PayloadType) + 1 + len(v.Envelope.Signatures)*ed25519.SignatureSize
	}
	// One allocation, the string: the parts are gathered on the stack
	// when they fit (an envelope of a few signatures).
	var buf [512]byte
	b := buf[:0]
	if n > len(buf) {
		b = make([]byte, 0, n)
	}
	b = append(b, v.Digest...)
	b = append(b, 0)
	for _, s := range v.Signers {
		b = append(b, s...)
		b = append(b, 0)
	}
	b = append(b, 0)
	if v.Envelope != nil {
		b = append(b, v.Envelope.PayloadType...)
		b = append(b, 0)
		for _, s := range v.Envelope.Signatures {
			b = append(b, s.Sig...)
		}
	}
	return string(b)
}
