package attest

import (
	"errors"
	"strings"
)

// Sentinels for errors.Is. Refusals from Verify are *VerifyError values
// wrapping one of these; key parsing errors are *KeyError values.
var (
	ErrBadSignature       = errors.New("signature does not verify")
	ErrUntrustedKey       = errors.New("no trusted key signed this statement")
	ErrOutOfScope         = errors.New("key is not trusted for this predicate or subject")
	ErrRevoked            = errors.New("revoked")
	ErrExpired            = errors.New("expired")
	ErrNotYetValid        = errors.New("not yet valid")
	ErrMalformed          = errors.New("malformed")
	ErrWrongType          = errors.New("unexpected payload or predicate type")
	ErrThreshold          = errors.New("too few distinct trusted keys signed")
	ErrTooLarge           = errors.New("input too large")
	ErrUnsupportedKey     = errors.New("unsupported key type (only Ed25519 is accepted)")
	ErrWeakKey            = errors.New("weak Ed25519 public key (small order or non-canonical)")
	ErrPassphraseRequired = errors.New("private key is encrypted: a passphrase is required")
	// ErrConfig is a caller's mistake, not the input's: a rule no
	// statement could match, options missing what they must pin.
	ErrConfig = errors.New("invalid trust rule or verify options")
)

// VerifyError is a refusal with the facts a caller needs to act on it.
type VerifyError struct {
	Err    error  // a sentinel above
	KeyID  string // the key concerned, if one is
	Digest string // the statement digest, once the payload is known
	Detail string
	// Holds, for refusals that depend on the time (expired, not yet valid,
	// out of scope, revoked key, too few signers), is how long the refusal
	// stands; for the others it is open on both sides.
	Holds Span
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	b.WriteString("attest: ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.KeyID != "" {
		b.WriteString(" (key ")
		b.WriteString(e.KeyID)
		b.WriteString(")")
	}
	if e.Digest != "" {
		b.WriteString(" (statement ")
		b.WriteString(e.Digest)
		b.WriteString(")")
	}
	return b.String()
}

func (e *VerifyError) Unwrap() error { return e.Err }

// KeyError says why key material was refused.
type KeyError struct {
	Err    error
	Format string // e.g. "openssh", "pkcs8", "authorized_keys", "raw"
	Type   string // the key type found, e.g. "ssh-rsa"
	Detail string
}

func (e *KeyError) Error() string {
	s := "attest: " + e.Format + " key: " + e.Err.Error()
	if e.Type != "" {
		s += " (found " + e.Type + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *KeyError) Unwrap() error { return e.Err }
