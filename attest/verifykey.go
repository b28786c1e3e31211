package attest

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"

	"filippo.io/edwards25519"
)

// verifyKey is an Ed25519 public key with its point decoded once. The
// equation checked is crypto/ed25519.Verify's, cofactorless as RFC 8032
// §5.1.7 reads it: [S]B = R + [k]A, compared as encodings. crypto/ed25519
// decodes A again for every signature, about a twelfth of a verification;
// a keyring verifies many signatures under few keys, so Trust keeps the
// decoded point next to each key, and with precompute a table of its
// multiples (curve.go), which makes a verification about a sixth cheaper
// than crypto/ed25519's. The published vectors and a differential fuzz
// test against crypto/ed25519 hold both paths to the same answers.
type verifyKey struct {
	pub   [ed25519.PublicKeySize]byte
	negA  edwards25519.Point // -A, ready for the double-base multiplication
	ok    bool               // pub decodes to a curve point
	table []niels            // odd multiples of -A, once precomputed
}

func newVerifyKey(pub []byte) *verifyKey {
	k := &verifyKey{}
	k.init(pub)
	return k
}

func (k *verifyKey) init(pub []byte) {
	if len(pub) != ed25519.PublicKeySize {
		return
	}
	copy(k.pub[:], pub)
	var a edwards25519.Point
	if _, err := a.SetBytes(pub); err != nil {
		return
	}
	k.negA.Negate(&a)
	k.ok = true
}

// precompute makes the table of -A's multiples: worth it for a key that
// will verify more than a few signatures (about 12 µs, 7.7 KiB).
func (k *verifyKey) precompute() {
	if k.ok && k.table == nil {
		k.table = oddMultiples(&k.negA)
	}
}

// verify reports whether sig is k's signature of msg.
func (k *verifyKey) verify(msg, sig []byte) bool {
	if !k.ok || len(sig) != ed25519.SignatureSize || sig[63]&0xe0 != 0 {
		return false
	}
	var s edwards25519.Scalar
	if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.pub[:])
	h.Write(msg)
	var d [sha512.Size]byte
	var kk edwards25519.Scalar
	if _, err := kk.SetUniformBytes(h.Sum(d[:0])); err != nil {
		return false
	}
	if k.table != nil {
		var enc [32]byte
		doubleBaseMult(&enc, &kk, &s, k.table)
		return subtle.ConstantTimeCompare(enc[:], sig[:32]) == 1
	}
	var r edwards25519.Point
	r.VarTimeDoubleScalarBaseMult(&kk, &k.negA, &s)
	return subtle.ConstantTimeCompare(r.Bytes(), sig[:32]) == 1
}
