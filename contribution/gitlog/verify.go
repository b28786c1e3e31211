package gitlog

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/peerproduction/ppl/attest"
)

// Namespace is the SSHSIG namespace git signs commits and tags under.
const Namespace = "git"

// Status is a verdict in the letters of git's %G? placeholder.
type Status byte

// The verdicts Verify reaches, as `git log --format=%G?` prints them.
const (
	Good        Status = 'G' // a valid signature by a key the allowed_signers list vouches for
	Bad         Status = 'B' // the signature does not verify, or the line found refuses it
	Unknown     Status = 'U' // a valid signature by a key no line vouches for at the signing time
	Unsigned    Status = 'N' // no signature
	CannotCheck Status = 'E' // cannot be checked here (not an SSH signature)
)

// Verified is an object whose signature verified as git would accept it.
type Verified struct {
	Object    *Object
	Key       ed25519.PublicKey
	KeyID     string
	Principal string // the allowed_signers principal (a pattern, as written) that vouched
}

// Verify checks o's signature against an allowed_signers list the way
// `git verify-commit` / `git verify-tag` do with gpg.format=ssh
// (gpg-interface.c, verify_ssh_signed_buffer): find the principals of the
// signing key valid at the object's own date (attest.FindPrincipals, as
// `ssh-keygen -Y find-principals -Overify-time=<committer date>`), then
// verify for each in turn in namespace "git" (attest.VerifySSH, as
// `ssh-keygen -Y verify -I <principal>`) until one succeeds.
//
// The date is the committer's (tagger's), which the signer wrote: a key
// whose line expired still signs "valid" commits dated before its expiry.
// That is git's meaning of valid-before (key rotation without invalidating
// history), not a revocation; who vouches for when a commit was first seen
// is the steward who signs the statements counting it.
//
// Refusals are *Error values; StatusOf gives git's letter for them.
func Verify(o *Object, as attest.AllowedSigners) (*Verified, error) {
	if len(o.Signature) == 0 {
		return nil, &Error{Commit: o.ID, Err: ErrUnsigned}
	}
	if !bytes.HasPrefix(o.Signature, []byte("-----BEGIN SSH SIGNATURE-----")) {
		return nil, &Error{Commit: o.ID, Err: ErrUnsupported, Detail: "only gpg.format=ssh signatures are verified"}
	}
	at := o.SignedAt()
	if at.Unix() <= 0 {
		// git would verify at the current time; this package reads no clock.
		return nil, &Error{Commit: o.ID, Err: ErrMalformed, Detail: "no committer or tagger date to verify at"}
	}
	sig, err := attest.ParseSSHSignature(o.Signature)
	if err != nil {
		return nil, &Error{Commit: o.ID, Err: fmt.Errorf("%w: %w", attest.ErrBadSignature, err)}
	}
	principals := as.FindPrincipals(sig.PublicKey, at)
	if len(principals) == 0 {
		if err := sig.Verify(o.Payload, Namespace); err != nil {
			return nil, &Error{Commit: o.ID, Err: err}
		}
		return nil, &Error{Commit: o.ID, Err: ErrUnknownKey, Detail: fmt.Sprintf("no allowed_signers line holds key %s at %s", sig.KeyID(), at.Format("2006-01-02T15:04:05Z"))}
	}
	var last error
	for _, p := range principals {
		if _, err := as.VerifySSH(o.Signature, o.Payload, p, Namespace, at); err != nil {
			last = err
			continue
		}
		return &Verified{Object: o, Key: sig.PublicKey, KeyID: sig.KeyID(), Principal: p}, nil
	}
	return nil, &Error{Commit: o.ID, Err: last}
}

// StatusOf is the %G? letter git prints for the outcome of Verify: Good
// for a nil error.
func StatusOf(err error) Status {
	switch {
	case err == nil:
		return Good
	case errors.Is(err, ErrUnsigned):
		return Unsigned
	case errors.Is(err, ErrUnsupported):
		return CannotCheck
	case errors.Is(err, ErrUnknownKey):
		return Unknown
	default:
		return Bad
	}
}
