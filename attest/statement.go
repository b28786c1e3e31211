package attest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peerproduction/ppl/internal/canonjson"
)

// PayloadType is the DSSE payload type of an in-toto statement.
const PayloadType = "application/vnd.in-toto+json"

// StatementType is the _type of an in-toto Statement v1.
const StatementType = "https://in-toto.io/Statement/v1"

// Subject is an in-toto resource descriptor reduced to what statements in
// this module need: a name and a digest set.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Statement is an in-toto Statement v1. The predicate is kept as the exact
// bytes that were signed; packages that own a predicate type decode it.
type Statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// SubjectFor returns the subject naming a thing in this module's scheme,
// e.g. "commons:<id>" or "entity:<id>". Its digest is the SHA-256 of the
// name, since in-toto requires one and the name is the thing identified.
// It does not check the name: NewStatement does (CheckSubject), so a
// statement about a name outside the grammar, which no Rule would cover,
// is never built.
func SubjectFor(name string) Subject {
	sum := sha256.Sum256([]byte(name))
	return Subject{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}
}

// NewStatement builds a statement whose predicate is predicate encoded as
// canonical JSON, so equal predicates give equal payload bytes. Subject
// names must be in the grammar (CheckSubject); an *IDError says which is
// not.
func NewStatement(predicateType string, predicate any, subjects ...Subject) (Statement, error) {
	if predicateType == "" {
		return Statement{}, &VerifyError{Err: ErrMalformed, Detail: "predicate type is empty"}
	}
	if len(subjects) == 0 {
		return Statement{}, &VerifyError{Err: ErrMalformed, Detail: "a statement needs at least one subject"}
	}
	for i, sub := range subjects {
		if err := CheckSubject(sub.Name); err != nil {
			ie := err.(*IDError)
			ie.Where = fmt.Sprintf("/subject/%d/name", i)
			return Statement{}, ie
		}
	}
	raw, err := canonjson.Marshal(predicate)
	if err != nil {
		return Statement{}, fmt.Errorf("attest: encoding predicate: %w", err)
	}
	return Statement{Type: StatementType, Subject: subjects, PredicateType: predicateType, Predicate: raw}, nil
}

// Payload returns the statement's canonical JSON, the bytes that are signed.
func (s Statement) Payload() ([]byte, error) {
	return canonjson.Marshal(s)
}

// Digest identifies a statement by the SHA-256 of the exact payload bytes
// that were signed: "sha256:<hex>". The envelope around them is malleable
// (signature order, key ids), the payload is not.
func Digest(payload []byte) string {
	sum := sha256.Sum256(payload)
	var b strings.Builder
	b.Grow(len("sha256:") + 2*sha256.Size)
	b.WriteString("sha256:")
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	b.Write(h[:])
	return b.String()
}

// ParseStatement decodes an in-toto Statement v1 from payload with the
// strict reader. Members are matched by exact name after unescaping;
// unrecognised members are ignored as in-toto requires of consumers, and
// nothing is lost since the payload bytes themselves are what is kept and
// digested. A member whose name differs from a Statement member's only in
// case ("PredicateType") is refused: encoding/json, and so many other
// in-toto readers, would read it as that member.
func ParseStatement(payload []byte) (Statement, error) {
	return parseStatement(payload, nil)
}

// The member names each reader picks out; a case variant of one is refused.
var (
	statementMembers = []string{"_type", "subject", "predicateType", "predicate"}
	subjectMembers   = []string{"name", "digest"}
	windowMembers    = []string{"validFrom", "validUntil"}
)

// parseStatement is ParseStatement taking predicate types and subject
// names found in known from it rather than allocating them.
func parseStatement(payload []byte, known map[string]string) (Statement, error) {
	var st Statement
	lim := canonjson.Limits{MaxBytes: -1}
	err := canonjson.Members(payload, lim, statementMembers, func(key, raw []byte) error {
		var err error
		switch string(key) {
		case "_type":
			if string(raw) == `"`+StatementType+`"` {
				st.Type = StatementType
			} else {
				st.Type, err = canonjson.Unquote(raw)
			}
		case "predicateType":
			st.PredicateType, err = canonjson.UnquoteKnown(raw, known)
		case "predicate":
			st.Predicate = json.RawMessage(raw)
		case "subject":
			err = canonjson.Array(raw, lim, func(i int, el []byte) error {
				sub, err := parseSubject(el, lim, known)
				if err != nil {
					return fmt.Errorf("%d/%w", i, err)
				}
				st.Subject = append(st.Subject, sub)
				return nil
			})
		}
		if err != nil {
			return fmt.Errorf("/%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return st, &VerifyError{Err: ErrMalformed, Detail: "statement: " + err.Error()}
	}
	if err := st.validate(); err != nil {
		return st, err
	}
	return st, nil
}

func parseSubject(raw []byte, lim canonjson.Limits, known map[string]string) (Subject, error) {
	var sub Subject
	err := canonjson.Members(raw, lim, subjectMembers, func(key, v []byte) error {
		var err error
		switch string(key) {
		case "name":
			sub.Name, err = canonjson.UnquoteKnown(v, known)
		case "digest":
			sub.Digest = map[string]string{}
			err = canonjson.Object(v, lim, func(alg, hexv []byte) error {
				d, err := canonjson.Unquote(hexv)
				if string(alg) == "sha256" { // the usual algorithm, without a copy of its name
					sub.Digest["sha256"] = d
				} else {
					sub.Digest[string(alg)] = d
				}
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	return sub, err
}

func (s Statement) validate() error {
	bad := func(format string, args ...any) error {
		return &VerifyError{Err: ErrMalformed, Detail: "statement: " + fmt.Sprintf(format, args...)}
	}
	if s.Type != StatementType {
		return bad("/_type is %q, want %q", s.Type, StatementType)
	}
	if len(s.Subject) == 0 {
		return bad("/subject is empty")
	}
	for i, sub := range s.Subject {
		if len(sub.Digest) == 0 {
			return bad("/subject/%d/digest is empty", i)
		}
	}
	if s.PredicateType == "" {
		return bad("/predicateType is empty")
	}
	if len(s.Predicate) == 0 || s.Predicate[0] != '{' {
		return bad("/predicate must be a JSON object")
	}
	return nil
}

// HasSubject reports whether name is among the statement's subjects.
func (s Statement) HasSubject(name string) bool {
	for _, sub := range s.Subject {
		if sub.Name == name {
			return true
		}
	}
	return false
}

// DecodePredicate decodes the predicate strictly into v.
func (s Statement) DecodePredicate(v any) error {
	if err := canonjson.Decode(s.Predicate, v, canonjson.Limits{MaxBytes: -1}); err != nil {
		var ce *canonjson.Error
		if errors.As(err, &ce) {
			return &PredicateError{PredicateType: s.PredicateType, Pointer: "/predicate" + ce.Pointer, Err: err}
		}
		return &PredicateError{PredicateType: s.PredicateType, Pointer: "/predicate", Err: err}
	}
	return nil
}

// PredicateError says where a predicate failed to decode or validate.
type PredicateError struct {
	PredicateType string
	Pointer       string // JSON pointer into the statement
	Err           error
}

func (e *PredicateError) Error() string {
	return fmt.Sprintf("attest: predicate %s at %s: %v", e.PredicateType, e.Pointer, e.Err)
}

func (e *PredicateError) Unwrap() error { return e.Err }

// validity reads the optional validFrom/validUntil (RFC 3339) members of a
// predicate, matched by exact name after unescaping; a case variant of
// either is refused, since encoding/json would read it as the window.
func validity(pred json.RawMessage) (from, until time.Time, err error) {
	// Most predicates carry no window; skip the walk for those that
	// cannot hold one under any spelling (an escape or a character that
	// folds to ASCII always means a walk).
	if !canonjson.MayHold(pred, windowMembers...) {
		return from, until, nil
	}
	err = canonjson.Members(pred, canonjson.Limits{MaxBytes: -1}, windowMembers, func(key, raw []byte) error {
		var dst *time.Time
		switch string(key) {
		case "validFrom":
			dst = &from
		case "validUntil":
			dst = &until
		default:
			return nil
		}
		s, err := canonjson.Unquote(raw)
		if err != nil {
			return fmt.Errorf("/predicate/%s must be an RFC 3339 string", key)
		}
		if *dst, err = time.Parse(time.RFC3339, s); err != nil {
			return fmt.Errorf("/predicate/%s: %v", key, err)
		}
		return nil
	})
	if err != nil {
		err = inPredicate(err)
	}
	if err == nil && !from.IsZero() && !until.IsZero() && !until.After(from) {
		err = fmt.Errorf("/predicate/validUntil %s is not after validFrom %s", until.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return
}

// inPredicate locates a refusal of the predicate walk itself (not one of
// the callback's, which say where already) within the statement. It is a
// function of its own so that the target of errors.As, which escapes, is
// only made when there is an error.
func inPredicate(err error) error {
	var ce *canonjson.Error
	if !errors.As(err, &ce) {
		return err
	}
	located := *ce
	located.Pointer = "/predicate" + ce.Pointer
	return &located
}
