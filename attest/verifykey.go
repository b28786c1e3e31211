package attest

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
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
	if k.table != nil {
		c := [1]sigCheck{{sig: sig}}
		c[0].ok = k.prepare(&c[0].r, msg, sig)
		verifyBatch(c[:])
		return c[0].ok
	}
	var s, kk edwards25519.Scalar
	if !k.scalars(&s, &kk, msg, sig) {
		return false
	}
	var r edwards25519.Point
	r.VarTimeDoubleScalarBaseMult(&kk, &k.negA, &s)
	return subtle.ConstantTimeCompare(r.Bytes(), sig[:32]) == 1
}

// scalars checks sig's form and sets s = S and kk = SHA-512(R || A || msg).
func (k *verifyKey) scalars(s, kk *edwards25519.Scalar, msg, sig []byte) bool {
	if !k.ok || len(sig) != ed25519.SignatureSize || sig[63]&0xe0 != 0 {
		return false
	}
	if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.pub[:])
	h.Write(msg)
	var d [sha512.Size]byte
	_, err := kk.SetUniformBytes(h.Sum(d[:0]))
	return err == nil
}

// prepare sets r = [S]B - [k]A for a key with a table, everything of a
// verification but the encoding of r and its comparison with sig's R,
// which need a field inversion: a batch of checks can share one
// (verifyBatch). It reports false for a signature refused by its form.
func (k *verifyKey) prepare(r *projective, msg, sig []byte) bool {
	var s, kk edwards25519.Scalar
	if !k.scalars(&s, &kk, msg, sig) {
		return false
	}
	doubleBaseMult(r, &kk, &s, k.table)
	return true
}

// sigCheck is one signature check of a batch.
type sigCheck struct {
	r   projective
	sig []byte
	ok  bool // prepared; after verifyBatch, whether the signature is valid
}

// verifyBatch finishes prepared checks: it inverts every r.Z with one
// field inversion (invertAll) and compares each encoding with its
// signature's R. The answers are those verify would give one by one.
func verifyBatch(checks []sigCheck) {
	var small [4]*field.Element
	zs := small[:0]
	for i := range checks {
		if checks[i].ok {
			zs = append(zs, &checks[i].r.Z)
		}
	}
	invertAll(zs) // each prepared r.Z now holds 1/Z
	for i := range checks {
		if c := &checks[i]; c.ok {
			var enc [32]byte
			c.r.encodeWith(&enc, &c.r.Z)
			c.ok = subtle.ConstantTimeCompare(enc[:], c.sig[:32]) == 1
		}
	}
}
