package contribution

import (
	"errors"
	"fmt"
)

// Sentinels for errors.Is. Most refusals come as *Error carrying the facts.
var (
	ErrUnknownPredicate = errors.New("unknown predicate type or version")
	ErrSchema           = errors.New("predicate violates its schema")
	ErrQuantity         = errors.New("quantity out of range")
	ErrPeriod           = errors.New("period ends before it starts")
	ErrUnknownCommons   = errors.New("unknown commons")
	ErrNotSteward       = errors.New("not signed by a steward of the commons")
	ErrSubject          = errors.New("statement subject does not match its predicate")
	ErrMissingSignature = errors.New("a required signature is missing")
	ErrNotAttested      = errors.New("not signed by a key trusted for the entity")
	ErrInvalid          = errors.New("invalid value")
	ErrWeight           = errors.New("weight out of range")
	ErrOverflow         = errors.New("points overflow int64")
	ErrConflict         = errors.New("statement digest already holds different data")
)

// Error is a refusal with its facts: which statement, which field (JSON
// pointer into the predicate, or a Go field name), which key.
type Error struct {
	Err       error  // a sentinel above
	Statement string // statement digest, when known
	Pointer   string // JSON pointer into the predicate, or field name
	KeyID     string // the key concerned, if any
	Detail    string
	cause     error // the typed error behind Err, if any (an *attest.IDError)
}

func (e *Error) Error() string {
	s := "contribution: " + e.Err.Error()
	if e.Pointer != "" {
		s += fmt.Sprintf(" at %q", e.Pointer)
	}
	if e.Statement != "" {
		s += " in statement " + e.Statement
	}
	if e.KeyID != "" {
		s += " (key " + e.KeyID + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap gives the sentinel and, for an id outside the grammar, the
// *attest.IDError saying what is wrong with it (errors.As reaches it).
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Err, e.cause}
	}
	return []error{e.Err}
}

func errorf(sentinel error, stmt, ptr, format string, args ...any) *Error {
	return &Error{Err: sentinel, Statement: stmt, Pointer: ptr, Detail: fmt.Sprintf(format, args...)}
}
