package policy

import (
	"fmt"

	"github.com/peerproduction/ppl/attest"
)

// FactPredicateType is the predicate of a named fact about an entity, such
// as "investment-below-usd-1m-5y" or "contributes-back": judgements terms
// name (license.FactCondition) that a registrar attests. Its subject is
// "entity:<id>"; the predicate may carry validFrom/validUntil.
const FactPredicateType = "https://github.com/peerproduction/ppl/predicates/fact/v1"

// Fact is the predicate of a fact statement.
type Fact struct {
	Entity     string `json:"entity"`
	Fact       string `json:"fact"`
	Note       string `json:"note,omitempty"`
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidUntil string `json:"validUntil,omitempty"`
}

// NewFactStatement builds the statement that fact holds for entity.
func NewFactStatement(f Fact) (attest.Statement, error) {
	if f.Entity == "" || f.Fact == "" {
		return attest.Statement{}, fmt.Errorf("%w: a fact statement needs an entity and a fact name", ErrRequest)
	}
	if err := attest.CheckID(f.Entity); err != nil {
		return attest.Statement{}, fmt.Errorf("%w: %w", ErrRequest, idAt(err, "/predicate/entity"))
	}
	return attest.NewStatement(FactPredicateType, f, attest.SubjectFor("entity:"+f.Entity))
}

func decodeFact(v *attest.Verified) (Fact, error) {
	var f Fact
	if err := v.Statement.DecodePredicate(&f); err != nil {
		return f, err
	}
	if f.Entity == "" || f.Fact == "" {
		return f, fmt.Errorf("%w: statement %s: /predicate/entity and /predicate/fact are required", attest.ErrMalformed, v.Digest)
	}
	if err := attest.CheckID(f.Entity); err != nil {
		return f, fmt.Errorf("%w: statement %s: %w", attest.ErrMalformed, v.Digest, idAt(err, "/predicate/entity"))
	}
	if !v.Statement.HasSubject("entity:" + f.Entity) {
		return f, fmt.Errorf("%w: statement %s: subject does not name entity:%s", attest.ErrMalformed, v.Digest, f.Entity)
	}
	return f, nil
}

// idAt locates the *attest.IDError err at where.
func idAt(err error, where string) error {
	if ie, ok := err.(*attest.IDError); ok {
		ie.Where = where
	}
	return err
}

// checkControlIDs checks a control relation's two entity ids.
func checkControlIDs(c Control) error {
	if err := attest.CheckID(c.Controller); err != nil {
		return idAt(err, "/predicate/controller")
	}
	if err := attest.CheckID(c.Controlled); err != nil {
		return idAt(err, "/predicate/controlled")
	}
	return nil
}
