package policy

import (
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/license"
)

// GrantPredicateType is the predicate of a grant: a signed receipt of a
// decision.
const GrantPredicateType = "https://github.com/peerproduction/ppl/predicates/grant/v1"

// ErrGrant is wrapped by every refusal of a grant.
var ErrGrant = errors.New("grant")

// Grant says who may use which commons under which terms, on what outcome
// and price, until when. Its statement's subjects are "commons:<id>" and
// "entity:<id>", so a Trust rule scopes which commons a marketplace key may
// grant for.
type Grant struct {
	Commons       string     `json:"commons"`
	Entity        string     `json:"entity"`
	TermsDigest   string     `json:"termsDigest"`
	RequestDigest string     `json:"requestDigest"`
	Outcome       Outcome    `json:"outcome"`
	Clause        string     `json:"clause"`
	Price         *GrantCost `json:"price,omitempty"`
	Payment       string     `json:"payment,omitempty"` // the payment reference, for pay grants
	IssuedAt      string     `json:"issuedAt"`
	ValidFrom     string     `json:"validFrom"`
	ValidUntil    string     `json:"validUntil,omitempty"`

	Statement string   `json:"-"` // digest, once verified
	Signers   []string `json:"-"` // key ids, once verified
}

// GrantCost is the price a pay grant was issued at.
type GrantCost struct {
	Amount   int64          `json:"amount"`
	Currency string         `json:"currency"`
	Period   license.Period `json:"period"`
}

// SignGrant signs d as a grant with signer (the marketplace's key). A pay
// decision needs a payment reference; a deny decision cannot be granted.
// The grant is valid from the decision's time until its ValidUntil, or
// until `until` when that is earlier or the decision has none (a zero
// until means no further bound).
func SignGrant(d *Decision, signer crypto.Signer, payment string, until time.Time) (*attest.Envelope, error) {
	outcome := d.Outcome()
	switch {
	case outcome == Deny:
		return nil, fmt.Errorf("%w: a deny decision cannot be granted", ErrGrant)
	case outcome == Pay && payment == "":
		return nil, fmt.Errorf("%w: a pay decision needs a payment reference", ErrGrant)
	}
	end := d.ValidUntil()
	if !until.IsZero() && (end.IsZero() || until.Before(end)) {
		end = until
	}
	g := Grant{Commons: d.Commons(), Entity: d.Entity(), TermsDigest: d.TermsDigest(), RequestDigest: d.RequestDigest(),
		Outcome: outcome, Clause: d.Clause(), Payment: payment,
		IssuedAt: d.At().UTC().Format(time.RFC3339), ValidFrom: d.At().UTC().Format(time.RFC3339)}
	if !end.IsZero() {
		g.ValidUntil = end.UTC().Format(time.RFC3339)
	}
	if outcome == Pay {
		p := d.Price()
		g.Price = &GrantCost{Amount: p.Amount, Currency: p.Currency, Period: p.Period}
	}
	st, err := attest.NewStatement(GrantPredicateType, g, attest.SubjectFor("commons:"+g.Commons), attest.SubjectFor("entity:"+g.Entity))
	if err != nil {
		return nil, err
	}
	return attest.SignStatement(st, signer)
}

// VerifyGrant verifies a grant envelope offline with trust at time at: the
// signature, the signer's scope for grants about this commons and entity,
// revocation, and the grant's validity window.
func VerifyGrant(trust *attest.Trust, envelopeJSON []byte, at time.Time) (*Grant, error) {
	v, err := trust.Verify(envelopeJSON, attest.VerifyOptions{Time: at, PredicateTypes: []string{GrantPredicateType}})
	if err != nil {
		return nil, err
	}
	return decodeGrant(v)
}

func decodeGrant(v *attest.Verified) (*Grant, error) {
	var g Grant
	if err := v.Statement.DecodePredicate(&g); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGrant, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: statement %s: %s", ErrGrant, v.Digest, fmt.Sprintf(format, args...))
	}
	switch {
	case g.Commons == "" || g.Entity == "":
		return nil, bad("/predicate/commons and /predicate/entity are required")
	case !v.Statement.HasSubject("commons:"+g.Commons) || !v.Statement.HasSubject("entity:"+g.Entity):
		return nil, bad("subjects do not name commons:%s and entity:%s", g.Commons, g.Entity)
	case g.Outcome != Free && g.Outcome != Pay:
		return nil, bad("/predicate/outcome %q: a grant is free or pay", g.Outcome)
	case g.Outcome == Pay && (g.Price == nil || g.Payment == ""):
		return nil, bad("a pay grant needs /predicate/price and /predicate/payment")
	case g.TermsDigest == "":
		return nil, bad("/predicate/termsDigest is required")
	}
	if _, err := time.Parse(time.RFC3339, g.IssuedAt); err != nil {
		return nil, bad("/predicate/issuedAt: %v", err)
	}
	g.Statement, g.Signers = v.Digest, v.Signers
	return &g, nil
}

// grantApplies checks that a verified grant is for this evaluator's
// commons and terms and this entity.
func (e *Evaluator) grantApplies(g *Grant, entity string, at time.Time) error {
	switch {
	case g.Commons != e.commons.ID:
		return fmt.Errorf("%w: for commons %q, not %q", ErrGrant, g.Commons, e.commons.ID)
	case g.Entity != entity:
		return fmt.Errorf("%w: for entity %q, not %q", ErrGrant, g.Entity, entity)
	case g.TermsDigest != e.termsDigest:
		return fmt.Errorf("%w: under terms %s, not the current %s", ErrGrant, g.TermsDigest, e.termsDigest)
	}
	return nil
}

// applyGrant lets an unexpired grant decide: it is honoured until it
// expires, whatever the terms would say today.
func (e *Evaluator) applyGrant(d *Decision, x *details, g *Grant) {
	x.grant = g
	d.outcome = codeOf(g.Outcome)
	if t, err := time.Parse(time.RFC3339, g.ValidUntil); err == nil {
		d.validUntil = t
	}
}
