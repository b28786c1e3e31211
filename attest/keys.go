package attest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// KeyID returns the key's OpenSSH SHA256 fingerprint, "SHA256:" followed by
// the unpadded standard base64 of the SHA-256 of the key's SSH wire form:
// exactly what `ssh-keygen -l -f key.pub` prints.
func KeyID(pub ed25519.PublicKey) string {
	// Built on the stack: one allocation, the string itself.
	var wire [4 + 11 + 4 + ed25519.PublicKeySize]byte
	sum := sha256.Sum256(appendSSHString(appendSSHString(wire[:0], []byte(ssh.KeyAlgoED25519)), pub))
	var out [7 + 43]byte
	copy(out[:], "SHA256:")
	base64.RawStdEncoding.Encode(out[7:], sum[:])
	return string(out[:])
}

// IsKeyID reports whether id has the form KeyID gives: "SHA256:" and 43
// characters of unpadded standard base64.
func IsKeyID(id string) bool {
	if len(id) != len("SHA256:")+43 || id[:7] != "SHA256:" {
		return false
	}
	for i := 7; i < len(id); i++ {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// sshWirePublicKey is string "ssh-ed25519" || string key (RFC 8709).
func sshWirePublicKey(pub ed25519.PublicKey) []byte {
	b := make([]byte, 0, 51)
	b = appendSSHString(b, []byte(ssh.KeyAlgoED25519))
	return appendSSHString(b, pub)
}

func appendSSHString(b, s []byte) []byte {
	n := len(s)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	return append(b, s...)
}

// ParsePublicKey reads an Ed25519 public key from any of: 32 raw bytes; a
// PEM "PUBLIC KEY" block (PKIX, as `openssl pkey -pubout` writes); an
// OpenSSH public key line (a .pub file or an authorized_keys line, options
// allowed). Other key types are refused with an error naming the type.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	if len(data) == ed25519.PublicKeySize && !bytes.HasPrefix(data, []byte("ssh-")) && !bytes.HasPrefix(data, []byte("-----")) {
		return append(ed25519.PublicKey(nil), data...), nil
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, _ := pem.Decode(trimmed)
		if block == nil {
			return nil, &KeyError{Err: ErrMalformed, Format: "pem", Detail: "no PEM block found"}
		}
		if block.Type != "PUBLIC KEY" {
			return nil, &KeyError{Err: ErrMalformed, Format: "pem", Detail: fmt.Sprintf("PEM block is %q, want \"PUBLIC KEY\"", block.Type)}
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, &KeyError{Err: ErrMalformed, Format: "pkix", Detail: err.Error()}
		}
		return ed25519Public(k, "pkix")
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey(trimmed)
	if err != nil {
		return nil, &KeyError{Err: ErrMalformed, Format: "authorized_keys",
			Detail: "not 32 raw bytes, a PEM PUBLIC KEY or an OpenSSH public key line: " + err.Error()}
	}
	return fromSSHPublicKey(pk, "authorized_keys")
}

func fromSSHPublicKey(pk ssh.PublicKey, format string) (ed25519.PublicKey, error) {
	if pk.Type() != ssh.KeyAlgoED25519 {
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: format, Type: pk.Type()}
	}
	ck, ok := pk.(ssh.CryptoPublicKey)
	if !ok {
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: format, Type: pk.Type()}
	}
	return ed25519Public(ck.CryptoPublicKey(), format)
}

func ed25519Public(k any, format string) (ed25519.PublicKey, error) {
	switch k := k.(type) {
	case ed25519.PublicKey:
		return k, nil
	case *ed25519.PublicKey:
		return *k, nil
	}
	return nil, &KeyError{Err: ErrUnsupportedKey, Format: format, Type: typeName(k)}
}

func typeName(k any) string {
	switch k.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "rsa"
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		return "ecdsa"
	}
	return fmt.Sprintf("%T", k)
}

// ParsePrivateKey reads an Ed25519 private key from any of: 32 raw bytes
// (the RFC 8032 seed) or 64 raw bytes (seed || public key, as
// crypto/ed25519 holds it); a PEM "PRIVATE KEY" block (PKCS#8, as `openssl
// genpkey -algorithm ed25519` writes); an OpenSSH private key (as
// `ssh-keygen -t ed25519` writes). An encrypted OpenSSH key is decrypted
// with passphrase; without one it is refused with ErrPassphraseRequired.
func ParsePrivateKey(data, passphrase []byte) (ed25519.PrivateKey, error) {
	trimmed := bytes.TrimSpace(data)
	if isPublicKeyText(trimmed) {
		return nil, &KeyError{Err: ErrMalformed, Format: "public", Detail: "this is a public key; a private key is needed (the file without .pub)"}
	}
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		switch len(data) {
		case ed25519.SeedSize:
			return ed25519.NewKeyFromSeed(data), nil
		case ed25519.PrivateKeySize:
			k := ed25519.NewKeyFromSeed(data[:32])
			if !bytes.Equal(k[32:], data[32:]) {
				return nil, &KeyError{Err: ErrMalformed, Format: "raw", Detail: "public half does not match the seed"}
			}
			return k, nil
		}
		return nil, &KeyError{Err: ErrMalformed, Format: "raw",
			Detail: fmt.Sprintf("%d bytes: want 32 or 64 raw bytes, or a PEM/OpenSSH private key", len(data))}
	}
	block, _ := pem.Decode(trimmed)
	if block == nil {
		return nil, &KeyError{Err: ErrMalformed, Format: "pem", Detail: "no PEM block found"}
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, &KeyError{Err: ErrMalformed, Format: "pkcs8", Detail: err.Error()}
		}
		return ed25519Private(k, "pkcs8")
	case "OPENSSH PRIVATE KEY":
		// A passphrase is used only for a key that is encrypted: one given
		// for an unencrypted key (a PPL_PASSPHRASE left set) is no error.
		k, err := ssh.ParseRawPrivateKey(trimmed)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			if passphrase == nil {
				return nil, &KeyError{Err: ErrPassphraseRequired, Format: "openssh"}
			}
			k, err = ssh.ParseRawPrivateKeyWithPassphrase(trimmed, passphrase)
		}
		if err != nil {
			if t := sshPrivateKeyType(block.Bytes); t != "" && t != ssh.KeyAlgoED25519 {
				return nil, &KeyError{Err: ErrUnsupportedKey, Format: "openssh", Type: t}
			}
			return nil, &KeyError{Err: ErrMalformed, Format: "openssh", Detail: err.Error()}
		}
		if _, ok := k.(*ed25519.PrivateKey); !ok {
			if t := sshPrivateKeyType(block.Bytes); t != "" && t != ssh.KeyAlgoED25519 {
				return nil, &KeyError{Err: ErrUnsupportedKey, Format: "openssh", Type: t}
			}
		}
		return ed25519Private(k, "openssh")
	case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: "pem", Type: block.Type}
	}
	return nil, &KeyError{Err: ErrMalformed, Format: "pem", Detail: fmt.Sprintf("PEM block is %q, want \"PRIVATE KEY\" or \"OPENSSH PRIVATE KEY\"", block.Type)}
}

// isPublicKeyText reports whether data is written as a public key: a PEM
// PUBLIC KEY block or an OpenSSH public key line, which a private key
// parser would otherwise call malformed without saying why.
func isPublicKeyText(data []byte) bool {
	if bytes.HasPrefix(data, []byte("-----BEGIN PUBLIC KEY-----")) {
		return true
	}
	for _, prefix := range []string{"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"} {
		if bytes.HasPrefix(data, []byte(prefix)) {
			return true
		}
	}
	return false
}

// sshPrivateKeyType reads the key type of the first public key in an
// openssh-key-v1 blob, so that an unsupported key is named even when
// x/crypto cannot parse it (e.g. sk-ssh-ed25519@openssh.com).
func sshPrivateKeyType(blob []byte) string {
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(blob, []byte(magic)) {
		return ""
	}
	r := sshReader{b: blob[len(magic):]}
	r.str() // cipher
	r.str() // kdf
	r.str() // kdf options
	r.u32() // number of keys
	pub := sshReader{b: r.str()}
	t := pub.str()
	if r.err || pub.err {
		return ""
	}
	return string(t)
}

func ed25519Private(k any, format string) (ed25519.PrivateKey, error) {
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return k, nil
	case *ed25519.PrivateKey:
		return *k, nil
	}
	return nil, &KeyError{Err: ErrUnsupportedKey, Format: format, Type: typeName(k)}
}

// MarshalAuthorizedKey writes pub as an OpenSSH public key line
// ("ssh-ed25519 AAAA... comment\n").
func MarshalAuthorizedKey(pub ed25519.PublicKey, comment string) []byte {
	line := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(sshWirePublicKey(pub))
	if comment != "" {
		line += " " + comment
	}
	return []byte(line + "\n")
}

// MarshalPKIXPublicKey writes pub as a PEM "PUBLIC KEY" block.
func MarshalPKIXPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// MarshalPKCS8PrivateKey writes priv as a PEM "PRIVATE KEY" block.
func MarshalPKCS8PrivateKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalOpenSSHPrivateKey writes priv in the openssh-key-v1 format that
// ssh-keygen reads, unencrypted, or encrypted with passphrase when it is
// not empty.
func MarshalOpenSSHPrivateKey(priv ed25519.PrivateKey, comment string, passphrase []byte) ([]byte, error) {
	var block *pem.Block
	var err error
	if len(passphrase) > 0 {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, comment, passphrase)
	} else {
		block, err = ssh.MarshalPrivateKey(priv, comment)
	}
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(block), nil
}

// CheckPublicKey refuses keys no honest signer has: small-order points and
// non-canonical encodings, for which signatures can verify for many
// messages or under several keys. Trust calls it on every key it admits.
func CheckPublicKey(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return &KeyError{Err: ErrMalformed, Format: "raw", Detail: fmt.Sprintf("public key is %d bytes, want 32", len(pub))}
	}
	if why := weakPoint(pub); why != "" {
		return &KeyError{Err: ErrWeakKey, Format: "raw", Detail: KeyID(pub) + " is " + why}
	}
	return nil
}

// signer adapts crypto.Signer to the checks this package needs.
func ed25519SignerKey(s crypto.Signer) (ed25519.PublicKey, error) {
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok {
		return nil, &KeyError{Err: ErrUnsupportedKey, Format: "signer", Type: typeName(s.Public())}
	}
	return pub, nil
}

// verifySignature is the single Ed25519 check every verification path in
// this package goes through (envelopes, SSHSIG, SignedBy), so the published
// vectors tested against it hold for all of them.
func verifySignature(pub ed25519.PublicKey, msg, sig []byte) bool {
	return newVerifyKey(pub).verify(msg, sig)
}
