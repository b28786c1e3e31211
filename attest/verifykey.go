package attest

import (
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/subtle"

	"filippo.io/edwards25519"
)

// verifyKey is an Ed25519 public key with its point decoded once. The
// check is crypto/ed25519.Verify's, step for step: the cofactorless
// equation of RFC 8032 §5.1.7, [S]B = R + [k]A compared as encodings, with
// S < L and the top three bits of the signature clear required. All the
// arithmetic is filippo.io/edwards25519's (point decoding, scalar
// reduction, VarTimeDoubleScalarBaseMult); none is written here. The one
// thing done differently from crypto/ed25519 is when A is decoded: once
// per key rather than once per signature, which is about a twelfth of a
// verification, and what keeps a Trust's envelope verification within a
// tenth of a bare crypto/ed25519.Verify (BenchmarkVerifyRatio). The
// published vectors and FuzzVerifyKey hold it to crypto/ed25519's answers.
type verifyKey struct {
	pub  [ed25519.PublicKeySize]byte
	negA edwards25519.Point // -A, as the double-base multiplication wants it
	ok   bool               // pub decodes to a curve point
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
	h.Sum(d[:0])
	var kh edwards25519.Scalar
	if _, err := kh.SetUniformBytes(d[:]); err != nil {
		return false
	}
	var r edwards25519.Point
	r.VarTimeDoubleScalarBaseMult(&kh, &k.negA, &s)
	return subtle.ConstantTimeCompare(r.Bytes(), sig[:32]) == 1
}
