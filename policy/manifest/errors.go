package manifest

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for errors.Is. Every refusal is an *Error wrapping one of these.
var (
	ErrMalformed      = errors.New("manifest is malformed")
	ErrTerms          = errors.New("terms do not match their digest or SPDX id")
	ErrDuplicateKey   = errors.New("a key is listed twice in one role")
	ErrKey            = errors.New("key is unusable")
	ErrThreshold      = errors.New("too few distinct root keys signed")
	ErrRollback       = errors.New("version is not newer than the one held")
	ErrSkippedVersion = errors.New("a version was skipped")
	ErrFork           = errors.New("another manifest with the same version is already held")
	ErrExpired        = errors.New("manifest has expired")
	ErrNotYetIssued   = errors.New("manifest is issued after the time it is judged at")
	ErrWrongCommons   = errors.New("manifest is for another commons")
	ErrPin            = errors.New("manifest does not match the pinned digest")
	ErrFirstVersion   = errors.New("only version 1 may be trusted on first use")
	ErrRecognition    = errors.New("recognised commons is not held at the version or digest named")
	ErrDuplicate      = errors.New("commons is given twice")
)

// Error is a refusal with its facts: which commons and version, which
// manifest (statement digest), where in the manifest (a JSON pointer into
// the predicate, "" for the document as a whole), which key.
type Error struct {
	Err     error // a sentinel above
	Commons string
	Version int64
	Digest  string
	Pointer string
	KeyID   string
	Detail  string
	// Cause is the underlying refusal (an *attest.VerifyError, a
	// *license.ParseError …), reachable by errors.Is and errors.As.
	Cause error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("manifest: ")
	b.WriteString(e.Err.Error())
	if e.Commons != "" {
		b.WriteString(" (commons " + e.Commons)
		if e.Version > 0 {
			fmt.Fprintf(&b, " version %d", e.Version)
		}
		b.WriteString(")")
	}
	if e.Pointer != "" {
		fmt.Fprintf(&b, " at %q", e.Pointer)
	}
	if e.Digest != "" {
		b.WriteString(" in " + e.Digest)
	}
	if e.KeyID != "" {
		b.WriteString(" (key " + e.KeyID + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}
