package canonjson

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinels for errors.Is. Every error this package returns is an *Error
// whose Err is one of these.
var (
	ErrSyntax        = errors.New("invalid JSON syntax")
	ErrDuplicateKey  = errors.New("duplicate object key")
	ErrTrailingData  = errors.New("trailing data after the JSON value")
	ErrInvalidUTF8   = errors.New("invalid UTF-8")
	ErrLoneSurrogate = errors.New("lone UTF-16 surrogate in \\u escape")
	ErrNumberRange   = errors.New("number out of range")
	ErrTooDeep       = errors.New("nesting too deep")
	ErrTooLarge      = errors.New("input too large")
	ErrUnknownField  = errors.New("unknown field")
	ErrType          = errors.New("wrong JSON type for field")
)

// ErrCaseVariant refuses a member name that equals a known one under
// Unicode case folding without being it ("PredicateType" beside a
// reader of "predicateType"): encoding/json would read it as that
// member, so ignoring it would read the document differently.
var ErrCaseVariant = errors.New("member name differs from a known member only in case")

// Error says what is wrong with a JSON text and where: the byte offset into
// the input and the JSON Pointer (RFC 6901) of the value being read.
type Error struct {
	Err     error  // one of the sentinels above
	Offset  int64  // byte offset into the input
	Pointer string // JSON Pointer of the offending value or member; "" is the root
	Detail  string // extra facts, e.g. the duplicate key
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("canonjson: ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(" ")
		b.WriteString(e.Detail)
	}
	b.WriteString(" at ")
	if e.Pointer == "" {
		b.WriteString("the root")
	} else {
		b.WriteString(e.Pointer)
	}
	b.WriteString(" (offset ")
	b.WriteString(strconv.FormatInt(e.Offset, 10))
	b.WriteString(")")
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// segment is one step of a JSON Pointer: an object key or an array index.
type segment struct {
	key   []byte
	index int
	isKey bool
}

func renderPointer(path []segment) string {
	var b strings.Builder
	for _, s := range path {
		b.WriteByte('/')
		if !s.isKey {
			b.WriteString(strconv.Itoa(s.index))
			continue
		}
		for _, c := range s.key {
			switch c {
			case '~':
				b.WriteString("~0")
			case '/':
				b.WriteString("~1")
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// EscapePointerToken escapes one reference token per RFC 6901.
func EscapePointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

func quoteDetail(format string, args ...any) string { return fmt.Sprintf(format, args...) }
