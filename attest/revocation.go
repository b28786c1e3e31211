package attest

import (
	"fmt"
	"time"
)

// RevocationPredicateType is the predicate of a revocation statement.
const RevocationPredicateType = "https://github.com/peerproduction/ppl/predicates/revocation/v1"

// Revocation withdraws a key from a time on, or one statement. Exactly one
// of Key and Statement is set. A key revoked from T loses the statements
// first seen at or after T (VerifyOptions.FirstSeen), whatever date they
// carry, and keeps those a recorder saw before T: a thief can backdate what
// he signs, not when it was recorded. Its statement's subject is "key:<key id>" or
// "statement:<digest>", so a Rule can scope who may revoke what.
type Revocation struct {
	Key       string     `json:"key,omitempty"`       // key id
	From      *time.Time `json:"from,omitempty"`      // with Key: statements first seen at or after From are refused
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
	case r.Key != "" && !IsKeyID(r.Key):
		return fmt.Errorf("/predicate/key %q is not a key id (SHA256: and 43 characters of unpadded base64, as ssh-keygen -l prints)", r.Key)
	case r.Statement != "" && !isDigest(r.Statement):
		return fmt.Errorf("/predicate/statement %q is not a statement digest (sha256: and 64 lower-case hex digits)", r.Statement)
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
	t.ready()
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.revokedStmts[digest]
	return ok
}
