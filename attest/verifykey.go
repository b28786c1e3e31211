package attest

import "crypto/ed25519"

// verifyKey is an Ed25519 public key as a Trust holds it. Its check is
// crypto/ed25519.Verify's and nothing else: the cofactorless equation of
// RFC 8032 §5.1.7, [S]B = R + [k]A compared as encodings, with S < L
// required. This package carries no curve arithmetic of its own, so its
// answers are the standard library's on every input (the published
// vectors and FuzzVerifyKey hold it to that), and so are those of other
// DSSE verifiers built on it.
type verifyKey struct {
	pub ed25519.PublicKey
}

func newVerifyKey(pub []byte) *verifyKey {
	return &verifyKey{pub: pub}
}

// verify reports whether sig is k's signature of msg. A key of the wrong
// length verifies nothing (crypto/ed25519 would panic on it).
func (k *verifyKey) verify(msg, sig []byte) bool {
	return len(k.pub) == ed25519.PublicKeySize && ed25519.Verify(k.pub, msg, sig)
}
