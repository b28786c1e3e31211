package gitlog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/peerproduction/ppl/attest"
)

// Sentinels for errors.Is. Signature refusals also wrap attest's
// (ErrBadSignature, ErrUntrustedKey, ErrExpired, ErrNotYetValid,
// ErrOutOfScope) when attest gave them.
var (
	ErrMalformed   = errors.New("malformed")
	ErrUnsigned    = errors.New("object is not signed")
	ErrUnsupported = errors.New("signature is not an SSH signature")
	ErrGit         = errors.New("git failed")
	ErrShallow     = errors.New("repository is a shallow clone")
	// ErrUnknownKey: the signature verifies, but no allowed_signers line
	// holds its key at the signing time (git's %G? "U").
	ErrUnknownKey = fmt.Errorf("%w: the signature verifies but no allowed_signers line vouches for its key then", attest.ErrUntrustedKey)
)

// Error names the object (commit or tag id), and where useful the header
// line or the JSON pointer, that something is wrong with.
type Error struct {
	Commit  string // object id
	Line    int    // header line, 1-based, when known
	Pointer string // JSON pointer into a rules document
	Err     error
	Detail  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("gitlog: ")
	if e.Commit != "" {
		fmt.Fprintf(&b, "%s: ", e.Commit)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Pointer != "" {
		fmt.Fprintf(&b, "rules %s: ", e.Pointer)
	}
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
