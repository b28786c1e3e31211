package attest

import "filippo.io/edwards25519"

// weakPoint says why the 32-byte encoding is no key an honest signer has,
// or returns "" for a good key: it must decode to a curve point, be that
// point's canonical encoding (y < p, no sign bit on x = 0), and the point
// must not have small order (its eighth multiple, [8]P, is not the
// identity). A small-order or mixed-up key lets one signature verify for
// many messages or under several keys, and crypto/ed25519 accepts some of
// them, so keys are screened when they enter a Trust. The arithmetic is
// filippo.io/edwards25519's; none is written here.
func weakPoint(enc []byte) string {
	p, err := new(edwards25519.Point).SetBytes(enc)
	if err != nil {
		return "not the encoding of a curve point"
	}
	// SetBytes accepts non-canonical encodings, as most decoders do; a
	// canonical one is what re-encoding the point gives back.
	if string(p.Bytes()) != string(enc) {
		return "not a canonical encoding"
	}
	if p.MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return "a point of small order"
	}
	return ""
}
