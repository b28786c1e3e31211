package attest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidID is wrapped by every *IDError: an identifier, subject name or
// subject pattern outside the grammar (see the package doc, "Identifiers").
var ErrInvalidID = errors.New("invalid identifier")

// MaxIDLen bounds a commons or entity id, in bytes (ids are ASCII, so also
// in characters).
const MaxIDLen = 128

// The subject kinds, with their separator.
const (
	commonsKind   = "commons:"
	entityKind    = "entity:"
	keyKind       = "key:"
	statementKind = "statement:"
)

// IDError says which identifier was refused, where it was and why. Offset
// is the byte offset of the first offending byte in ID, or -1 when the
// identifier as a whole is wrong (empty, too long).
type IDError struct {
	Where  string // where it was found: a JSON pointer, a field, a flag; "" if the caller did not say
	ID     string // the identifier as given
	Offset int
	Reason string
}

func (e *IDError) Error() string {
	var b strings.Builder
	b.WriteString("attest: ")
	b.WriteString(ErrInvalidID.Error())
	if e.Where != "" {
		b.WriteString(" at ")
		b.WriteString(e.Where)
	}
	b.WriteString(" ")
	// QuoteToASCII: the message itself must not carry the bidi override or
	// look-alike it is complaining about into a terminal or a log.
	shown := e.ID
	if len(shown) > 80 {
		shown = shown[:80]
		b.WriteString(strconv.QuoteToASCII(shown))
		b.WriteString("…")
	} else {
		b.WriteString(strconv.QuoteToASCII(shown))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

func (e *IDError) Unwrap() error { return ErrInvalidID }

// CheckID checks a commons or entity id against the grammar
//
//	id = alnum+ ( ("." | "-" | "_") alnum+ )*     at most MaxIDLen bytes
//	alnum = "a"…"z" | "0"…"9"
//
// and returns nil or an *IDError (with Where empty: a caller that knows
// where the id came from fills it in) saying what is wrong and at which
// byte. It does not allocate for a valid id.
func CheckID(id string) error {
	if e := checkID(id, 0); e != nil {
		e.ID = id
		return e
	}
	return nil
}

// CheckKeyID checks a key id: what KeyID returns, "SHA256:" and 43
// characters of unpadded standard base64 (IsKeyID), with the reason when
// it is not one.
func CheckKeyID(id string) error {
	if IsKeyID(id) {
		return nil
	}
	e := checkKeyID(id, 0)
	e.ID = id
	return e
}

// CheckSubject checks a subject name of this module's scheme:
// "commons:<id>", "entity:<id>" (ids as CheckID), "key:<key id>" (as
// CheckKeyID) or "statement:sha256:<64 lower-case hex digits>" (a Digest).
func CheckSubject(name string) error {
	if e := checkSubject(name); e != nil {
		e.ID = name
		return e
	}
	return nil
}

// CheckSubjectPattern checks a Rule's subject pattern: "*" (any subject),
// a kind and "*" ("commons:*", "entity:*", "key:*", "statement:*": any
// subject of that kind), or one subject exactly (as CheckSubject). A "*"
// anywhere else — "commons:be*", "comm*", "*:x" — is refused rather than
// read as a prefix: a prefix of an id is not a unit anyone is trusted for,
// and "commons:be*" would cover "commons:bet" and every id still to come.
func CheckSubjectPattern(p string) error {
	if p == "*" {
		return nil
	}
	switch p {
	case commonsKind + "*", entityKind + "*", keyKind + "*", statementKind + "*":
		return nil
	}
	if i := strings.IndexByte(p, '*'); i >= 0 {
		if e := badRune(p, 0); e != nil { // a hidden character is the worse news
			e.ID = p
			return e
		}
		return &IDError{ID: p, Offset: i, Reason: `a "*" may stand only for a whole subject ("*") or a whole id ("commons:*", "entity:*", "key:*", "statement:*"), not part of one`}
	}
	return CheckSubject(p)
}

// matchSubject reports whether a pattern CheckSubjectPattern accepted
// covers the subject name. No pattern covers a name outside the grammar,
// so "entity:*" covers neither "entity:" nor "entity:\x00".
func matchSubject(pattern, name string) bool {
	return isSubject(name) && matchValid(pattern, name)
}

// matchValid is matchSubject for a name isSubject accepted.
func matchValid(pattern, name string) bool {
	if pattern == "*" {
		return true
	}
	if kind, ok := strings.CutSuffix(pattern, "*"); ok {
		// isSubject has checked what follows the kind against its grammar.
		return strings.HasPrefix(name, kind)
	}
	return pattern == name
}

// isSubject is CheckSubject(name) == nil without building the error: it
// runs for every subject of every statement verified.
func isSubject(name string) bool {
	switch {
	case strings.HasPrefix(name, commonsKind):
		return isID(name[len(commonsKind):])
	case strings.HasPrefix(name, entityKind):
		return isID(name[len(entityKind):])
	case strings.HasPrefix(name, keyKind):
		return IsKeyID(name[len(keyKind):])
	case strings.HasPrefix(name, statementKind):
		return isDigest(name[len(statementKind):])
	}
	return false
}

func isAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isIDSep(c byte) bool { return c == '.' || c == '-' || c == '_' }

// idClass is 1 for a letter or digit of an id, 2 for a separator, 0 for
// any other byte: isID runs on every subject verified, so a table.
var idClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case isAlnum(byte(c)):
			t[c] = 1
		case isIDSep(byte(c)):
			t[c] = 2
		}
	}
	return t
}()

func isID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
		return false
	}
	prev := uint8(2) // as if after a separator: an id starts with alnum
	for i := 0; i < len(s); i++ {
		c := idClass[s[i]]
		if c == 0 || c == 2 && prev == 2 {
			return false
		}
		prev = c
	}
	return prev == 1
}

// isDigest matches what Digest returns: "sha256:" and 64 lower-case hex
// digits.
func isDigest(s string) bool {
	if len(s) != len("sha256:")+64 || s[:7] != "sha256:" {
		return false
	}
	for i := 7; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func checkSubject(name string) *IDError {
	if name == "" {
		return &IDError{Offset: -1, Reason: "empty subject name"}
	}
	for _, kind := range []string{commonsKind, entityKind, keyKind, statementKind} {
		rest, ok := strings.CutPrefix(name, kind)
		if !ok {
			continue
		}
		off := len(kind)
		switch kind {
		case keyKind:
			if IsKeyID(rest) {
				return nil
			}
			return checkKeyID(rest, off)
		case statementKind:
			if isDigest(rest) {
				return nil
			}
			if e := badRune(rest, off); e != nil {
				return e
			}
			return &IDError{Offset: off, Reason: `a statement subject is "statement:sha256:" and 64 lower-case hex digits`}
		}
		if e := checkID(rest, off); e != nil {
			if e.Offset < 0 {
				e.Offset = off
			}
			return e
		}
		return nil
	}
	if e := badRune(name, 0); e != nil {
		return e
	}
	end := strings.IndexByte(name, ':')
	if end < 0 {
		end = len(name)
	}
	return &IDError{Offset: 0, Reason: fmt.Sprintf("unknown subject kind %q: want commons:, entity:, key: or statement:", name[:end])}
}

func checkKeyID(s string, off int) *IDError {
	if e := badRune(s, off); e != nil {
		return e
	}
	if !strings.HasPrefix(s, "SHA256:") {
		return &IDError{Offset: off, Reason: `a key id is "SHA256:" and 43 characters of unpadded base64, as ssh-keygen -l prints`}
	}
	for i := 7; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return &IDError{Offset: off + i, Reason: fmt.Sprintf("%s at byte %d is not unpadded standard base64 in a key id", describe(s[i:]), off+i)}
		}
	}
	return &IDError{Offset: -1, Reason: fmt.Sprintf("a key id has 43 base64 characters after \"SHA256:\", not %d", len(s)-7)}
}

// checkID finds what is wrong with id; off is its offset in what the
// caller reports (a subject name), for Offset.
func checkID(id string, off int) *IDError {
	if isID(id) {
		return nil
	}
	if id == "" {
		return &IDError{Offset: -1, Reason: "empty id"}
	}
	// Characters that are never allowed are named first: they are the
	// ones an attacker hides, and "too long" must not mask them.
	if e := badRune(id, off); e != nil {
		return e
	}
	if len(id) > MaxIDLen {
		return &IDError{Offset: -1, Reason: fmt.Sprintf("%d bytes, more than the %d an id may have", len(id), MaxIDLen)}
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case isAlnum(c):
		case 'A' <= c && c <= 'Z':
			return &IDError{Offset: off + i, Reason: fmt.Sprintf("upper-case %q at byte %d: ids are lower case, so that no two differ only in case", c, off+i)}
		case isIDSep(c):
			if i == 0 || i == len(id)-1 || !isAlnum(id[i-1]) {
				return &IDError{Offset: off + i, Reason: fmt.Sprintf("%q at byte %d: '.', '-' and '_' only stand between letters or digits", c, off+i)}
			}
		default:
			return &IDError{Offset: off + i, Reason: fmt.Sprintf("%s at byte %d is not allowed in an id (a-z, 0-9, and '.', '-', '_' between them)", describe(id[i:]), off+i)}
		}
	}
	// isID refused id for one of the reasons above; should they ever
	// drift apart, refuse rather than let an id through unexplained.
	return &IDError{Offset: -1, Reason: "not an id"}
}

// badRune finds the first byte of s that no identifier may hold, for any
// kind: invalid UTF-8, controls, bidi controls, invisible characters,
// spaces and any other non-ASCII character.
func badRune(s string, off int) *IDError {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x21 && c < 0x7f {
			i++
			continue
		}
		return &IDError{Offset: off + i, Reason: fmt.Sprintf("%s at byte %d is not allowed in an identifier%s", describe(s[i:]), off+i, whyNot(s[i:]))}
	}
	return nil
}

// describe names the character at the start of s and what kind it is.
func describe(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf("invalid UTF-8 byte 0x%02x", s[0])
	case r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
		return fmt.Sprintf("control character U+%04X", r)
	case isBidi(r):
		return fmt.Sprintf("bidi control U+%04X", r)
	case isInvisible(r):
		return fmt.Sprintf("invisible character U+%04X", r)
	case r == ' ':
		return "a space"
	case r >= utf8.RuneSelf:
		return fmt.Sprintf("non-ASCII character U+%04X", r)
	}
	return fmt.Sprintf("%q", r)
}

func whyNot(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r >= utf8.RuneSelf && !(r == utf8.RuneError && size <= 1) && !isBidi(r) && !isInvisible(r) && !(0x80 <= r && r < 0xa0) {
		return ": identifiers are ASCII, so that none can pass for another (see the package doc)"
	}
	return ""
}

func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

func isInvisible(r rune) bool {
	return r == 0x00ad || r == 0x034f || r == 0x180e || 0x200b <= r && r <= 0x200d || 0x2060 <= r && r <= 0x2064 || r == 0xfeff
}
