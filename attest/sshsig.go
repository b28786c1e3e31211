package attest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SSHSIG (OpenSSH's PROTOCOL.sshsig) lets a contributor sign with the SSH
// key they already use for git: `ssh-keygen -Y sign -f key -n <namespace>`.
//
// The signature blob is
//
//	"SSHSIG" uint32(1) string(publickey) string(namespace) string(reserved)
//	string(hash_algorithm) string(signature)
//
// and the signature is made over
//
//	"SSHSIG" string(namespace) string(reserved) string(hash_algorithm)
//	string(H(message))
//
// where H is SHA-512 (ssh-keygen's default) or SHA-256. The blob is armored
// as base64 between "-----BEGIN SSH SIGNATURE-----" and
// "-----END SSH SIGNATURE-----", wrapped at 70 columns.

// SSHNamespace is the SSHSIG namespace ppl signs under and verifies by
// default (`ssh-keygen -Y sign -n ppl@peerproduction`). A namespace keeps a
// signature made for one use from being replayed for another: a key that
// signs git commits under "git" has not signed a ppl statement.
const SSHNamespace = "ppl@peerproduction"

const (
	sshsigMagic      = "SSHSIG"
	sshsigBegin      = "-----BEGIN SSH SIGNATURE-----"
	sshsigEnd        = "-----END SSH SIGNATURE-----"
	sshsigWrap       = 70
	maxSSHSigArmored = 64 << 10
)

// SSHSignature is a parsed SSHSIG. Parsing does not verify it.
type SSHSignature struct {
	PublicKey     ed25519.PublicKey
	Namespace     string
	HashAlgorithm string // "sha512" or "sha256"
	Signature     []byte // the raw 64-byte Ed25519 signature
}

// KeyID is the signer's key id.
func (s *SSHSignature) KeyID() string { return KeyID(s.PublicKey) }

func sshsigHash(alg string, message []byte) ([]byte, error) {
	switch alg {
	case "sha512":
		h := sha512.Sum512(message)
		return h[:], nil
	case "sha256":
		h := sha256.Sum256(message)
		return h[:], nil
	}
	return nil, &VerifyError{Err: ErrMalformed, Detail: fmt.Sprintf("sshsig: hash algorithm %q, want sha512 or sha256", alg)}
}

func sshsigSignedData(namespace, alg string, digest []byte) []byte {
	b := []byte(sshsigMagic)
	b = appendSSHString(b, []byte(namespace))
	b = appendSSHString(b, nil)
	b = appendSSHString(b, []byte(alg))
	return appendSSHString(b, digest)
}

// SignSSH signs message as `ssh-keygen -Y sign -n namespace` does and
// returns the armored signature. hashAlg is "sha512" (the default when
// empty) or "sha256".
func SignSSH(s crypto.Signer, namespace string, message []byte, hashAlg string) ([]byte, error) {
	if namespace == "" {
		return nil, &VerifyError{Err: ErrMalformed, Detail: "sshsig: namespace must not be empty"}
	}
	if hashAlg == "" {
		hashAlg = "sha512"
	}
	pub, err := ed25519SignerKey(s)
	if err != nil {
		return nil, err
	}
	digest, err := sshsigHash(hashAlg, message)
	if err != nil {
		return nil, err
	}
	sig, err := s.Sign(rand.Reader, sshsigSignedData(namespace, hashAlg, digest), crypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("attest: sshsig signing: %w", err)
	}
	blob := []byte(sshsigMagic)
	blob = append(blob, 0, 0, 0, 1)
	blob = appendSSHString(blob, sshWirePublicKey(pub))
	blob = appendSSHString(blob, []byte(namespace))
	blob = appendSSHString(blob, nil)
	blob = appendSSHString(blob, []byte(hashAlg))
	wireSig := appendSSHString(nil, []byte("ssh-ed25519"))
	wireSig = appendSSHString(wireSig, sig)
	blob = appendSSHString(blob, wireSig)

	enc := base64.StdEncoding.EncodeToString(blob)
	var out strings.Builder
	out.WriteString(sshsigBegin + "\n")
	for len(enc) > sshsigWrap {
		out.WriteString(enc[:sshsigWrap] + "\n")
		enc = enc[sshsigWrap:]
	}
	out.WriteString(enc + "\n" + sshsigEnd + "\n")
	return []byte(out.String()), nil
}

// ParseSSHSignature reads an armored SSHSIG. Only version 1, Ed25519 keys,
// empty reserved fields and sha512/sha256 are accepted.
func ParseSSHSignature(armored []byte) (*SSHSignature, error) {
	bad := func(format string, args ...any) error {
		return &VerifyError{Err: ErrMalformed, Detail: "sshsig: " + fmt.Sprintf(format, args...)}
	}
	if len(armored) > maxSSHSigArmored {
		return nil, &VerifyError{Err: ErrTooLarge, Detail: fmt.Sprintf("sshsig: %d bytes, limit %d", len(armored), maxSSHSigArmored)}
	}
	text := strings.TrimSpace(string(armored))
	body, ok := strings.CutPrefix(text, sshsigBegin)
	if !ok {
		return nil, bad("missing %q line", sshsigBegin)
	}
	body, ok = strings.CutSuffix(body, sshsigEnd)
	if !ok {
		return nil, bad("missing %q line", sshsigEnd)
	}
	b64 := strings.Join(strings.Fields(body), "")
	blob, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, bad("armor is not canonical base64: %v", err)
	}
	if !bytes.HasPrefix(blob, []byte(sshsigMagic)) {
		return nil, bad("blob does not start with %q", sshsigMagic)
	}
	r := sshReader{b: blob[len(sshsigMagic):]}
	version := r.u32()
	pubWire := r.str()
	namespace := r.str()
	reserved := r.str()
	hashAlg := r.str()
	sigWire := r.str()
	if r.err {
		return nil, bad("truncated blob")
	}
	if len(r.b) != 0 {
		return nil, bad("%d bytes after the signature", len(r.b))
	}
	if version != 1 {
		return nil, bad("version %d, want 1", version)
	}
	if len(reserved) != 0 {
		return nil, bad("reserved field is not empty")
	}
	// OpenSSH reads these as C strings and refuses one holding a NUL; a
	// namespace that ends early there must not mean more here.
	if bytes.IndexByte(namespace, 0) >= 0 || bytes.IndexByte(hashAlg, 0) >= 0 {
		return nil, bad("namespace or hash algorithm contains a NUL byte")
	}
	pr := sshReader{b: pubWire}
	keyType := pr.str()
	pub := pr.str()
	if pr.err || len(pr.b) != 0 {
		return nil, bad("malformed public key")
	}
	if string(keyType) != "ssh-ed25519" {
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: "sshsig", Type: string(keyType)}
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, bad("ed25519 public key is %d bytes", len(pub))
	}
	sr := sshReader{b: sigWire}
	sigType := sr.str()
	sig := sr.str()
	if sr.err || len(sr.b) != 0 {
		return nil, bad("malformed signature field")
	}
	if string(sigType) != "ssh-ed25519" {
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: "sshsig", Type: string(sigType)}
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, bad("signature is %d bytes, want 64", len(sig))
	}
	if _, err := sshsigHash(string(hashAlg), nil); err != nil {
		return nil, err
	}
	return &SSHSignature{PublicKey: bytes.Clone(pub), Namespace: string(namespace), HashAlgorithm: string(hashAlg), Signature: bytes.Clone(sig)}, nil
}

// Verify checks that s signs message in namespace under a key that is not
// weak (CheckPublicKey: a small-order key verifies forged signatures). It
// does not say whether the key is trusted; VerifySSH does that with an
// allowed_signers list.
func (s *SSHSignature) Verify(message []byte, namespace string) error {
	if err := checkSignerKey(s.PublicKey, "sshsig"); err != nil {
		return err
	}
	if s.Namespace != namespace {
		return &VerifyError{Err: ErrWrongType, KeyID: s.KeyID(), Detail: fmt.Sprintf("sshsig namespace %q, want %q", s.Namespace, namespace)}
	}
	digest, err := sshsigHash(s.HashAlgorithm, message)
	if err != nil {
		return err
	}
	if !verifySignature(s.PublicKey, sshsigSignedData(s.Namespace, s.HashAlgorithm, digest), s.Signature) {
		return &VerifyError{Err: ErrBadSignature, KeyID: s.KeyID(), Detail: "sshsig"}
	}
	return nil
}

// checkSignerKey refuses, as a *VerifyError, a key that CheckPublicKey
// refuses: every path that verifies under a key it was handed, not one a
// Trust admitted, goes through it first, since crypto/ed25519 accepts
// signatures anyone can make under a small-order key.
func checkSignerKey(pub ed25519.PublicKey, where string) *VerifyError {
	err := CheckPublicKey(pub)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrWeakKey) {
		return &VerifyError{Err: ErrMalformed, Detail: where + ": " + err.Error()}
	}
	return &VerifyError{Err: ErrWeakKey, KeyID: KeyID(pub), Detail: where + ": the key is of small order or not canonically encoded; no honest signer has it"}
}
