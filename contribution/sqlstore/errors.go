package sqlstore

import (
	"errors"
	"fmt"
)

// Sentinels for errors.Is; every error the store returns is an *Error
// wrapping one of them or the database's own error.
var (
	// ErrInvalid: the input cannot be stored as given (a time outside the
	// range of int64 nanoseconds, a malformed digest or key id, …).
	ErrInvalid = errors.New("sqlstore: invalid input")
	// ErrNotFound: nothing is stored under that key.
	ErrNotFound = errors.New("sqlstore: not found")
	// ErrConflict: something different is already stored under that key
	// (a payment reference reused for another payment, say).
	ErrConflict = errors.New("sqlstore: conflicts with what is stored")
	// ErrSchemaVersion: the database was migrated by a newer version of this
	// package; this one refuses to write to it.
	ErrSchemaVersion = errors.New("sqlstore: database schema is newer than this package")
	// ErrDriver: an unknown driver name.
	ErrDriver = errors.New("sqlstore: unknown driver")
)

// Error says which operation failed on which table, for which key, and why.
type Error struct {
	Op    string // the method, e.g. "PutPayment"
	Table string // the table involved, when there is one
	Key   string // the key of the row (digest, payment reference, key id)
	Field string // the field at fault, for invalid input
	Err   error  // a sentinel above, or the database's error
	// Detail says what was wrong and what to do.
	Detail string
}

func (e *Error) Error() string {
	s := "sqlstore: " + e.Op
	if e.Table != "" {
		s += " " + e.Table
	}
	if e.Key != "" {
		s += fmt.Sprintf(" %q", e.Key)
	}
	if e.Field != "" {
		s += " field " + e.Field
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil && !errors.Is(e.Err, ErrInvalid) && !errors.Is(e.Err, ErrNotFound) && !errors.Is(e.Err, ErrConflict) {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func dbErr(op, table, key string, err error) error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	return &Error{Op: op, Table: table, Key: key, Err: err}
}

func invalid(op, table, key, field, format string, args ...any) error {
	return &Error{Op: op, Table: table, Key: key, Field: field, Err: ErrInvalid, Detail: fmt.Sprintf(format, args...)}
}
