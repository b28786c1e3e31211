package attest

import (
	"fmt"
	"strings"
	"time"
)

// RevocationPredicateType is the predicate of a revocation statement.
const RevocationPredicateType = "https://github.com/peerproduction/ppl/predicates/revocation/v1"

// Revocation withdraws a key from a time on, or one statement. Exactly one
// of Key and Statement is set. Its statement's subject is "key:<key id>" or
// "statement:<digest>", so a Rule can scope who may revoke what.
type Revocation struct {
	Key       string     `json:"key,omitempty"`       // key id
	From      *time.Time `json:"from,omitempty"`      // with Key: statements verified at or after From are refused
	Statement string     `json:"statement,omitempty"` // statement digest
	Reason    string     `json:"reason,omitempty"`
}

// Subject is the subject a revocation statement must name.
func (r Revocation) Subject() Subject {
	if r.Key != "" {
		return SubjectFor("key:" + r.Key)
	}
	return SubjectFor("statement:" + r.Statement)
}

func (r Revocation) validate() error {
	switch {
	case (r.Key == "") == (r.Statement == ""):
		return fmt.Errorf("exactly one of /predicate/key and /predicate/statement must be set")
	case r.Key != "" && r.From == nil:
		return fmt.Errorf("/predicate/from is required when revoking a key")
	case r.Key != "" && !strings.HasPrefix(r.Key, "SHA256:"):
		return fmt.Errorf("/predicate/key %q is not a SHA256: key id", r.Key)
	case r.Statement != "" && (!strings.HasPrefix(r.Statement, "sha256:") || len(r.Statement) != 71):
		return fmt.Errorf("/predicate/statement %q is not a sha256:<64 hex> digest", r.Statement)
	}
	return nil
}

// NewRevocationStatement builds the statement revoking what r names.
func NewRevocationStatement(r Revocation) (Statement, error) {
	if err := r.validate(); err != nil {
		return Statement{}, &VerifyError{Err: ErrMalformed, Detail: err.Error()}
	}
	return NewStatement(RevocationPredicateType, r, r.Subject())
}

// Revoke verifies a revocation envelope at time at, with the same checks as
// Verify (the signer must be trusted for RevocationPredicateType and the
// revocation's subject), and applies it. Revocations only ever add: a key's
// earliest revocation time wins. It returns the revocation applied.
func (t *Trust) Revoke(envelopeJSON []byte, at time.Time) (Revocation, error) {
	v, err := t.Verify(envelopeJSON, VerifyOptions{Time: at, PredicateTypes: []string{RevocationPredicateType}})
	if err != nil {
		return Revocation{}, err
	}
	var r Revocation
	if err := v.Statement.DecodePredicate(&r); err != nil {
		return Revocation{}, &VerifyError{Err: ErrMalformed, Digest: v.Digest, Detail: err.Error()}
	}
	if err := r.validate(); err != nil {
		return Revocation{}, &VerifyError{Err: ErrMalformed, Digest: v.Digest, Detail: err.Error()}
	}
	if want := r.Subject().Name; len(v.Statement.Subject) != 1 || v.Statement.Subject[0].Name != want {
		return Revocation{}, &VerifyError{Err: ErrMalformed, Digest: v.Digest, Detail: "revocation subject must be exactly " + want}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.Key != "" {
		if cur, ok := t.revokedKeys[r.Key]; !ok || r.From.Before(cur) {
			t.revokedKeys[r.Key] = *r.From
		}
	} else if _, ok := t.revokedStmts[r.Statement]; !ok {
		t.revokedStmts[r.Statement] = v.Digest
	}
	t.gen++
	return r, nil
}

// RevokedStatement reports whether digest has been revoked.
func (t *Trust) RevokedStatement(digest string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.revokedStmts[digest]
	return ok
}
