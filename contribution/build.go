package contribution

import (
	"crypto/ed25519"
	"encoding/base64"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/internal/canonjson"
)

// The builders make statements a steward, an entity and a member sign
// (attest.SignStatement, Envelope.AddSignature). Each is checked against the
// same schema its decoder uses, so what is built always decodes.

// NewContributionStatement builds the statement for c, about "commons:<id>".
// c.Statement is ignored (the digest exists only once signed).
func NewContributionStatement(c Contribution) (attest.Statement, error) {
	c.Statement = "unsigned"
	if err := c.check(); err != nil {
		return attest.Statement{}, err
	}
	w := contributionWire{Commons: c.Commons, Contributor: c.Contributor, Entity: c.Entity, Kind: c.Kind,
		Quantity: c.Quantity.String(), Unit: c.Unit, At: formatTime(c.At), Evidence: c.Evidence}
	if !c.From.IsZero() {
		w.From = formatTime(c.From)
	}
	return build(ContributionPredicateType, w, "commons:"+c.Commons)
}

// NewMembershipStatement builds the statement for m, about "entity:<id>";
// member is the member's public key, whose key id becomes m.Contributor. The
// entity's key and the member's key must both sign the envelope.
func NewMembershipStatement(m Membership, member ed25519.PublicKey) (attest.Statement, error) {
	if len(member) != ed25519.PublicKeySize {
		return attest.Statement{}, errorf(ErrInvalid, "", "memberKey", "member key must be a 32-byte Ed25519 public key")
	}
	if err := attest.CheckPublicKey(member); err != nil {
		return attest.Statement{}, errorf(attest.ErrWeakKey, "", "memberKey", "member key is of small order or not canonically encoded: use a key from ssh-keygen or ppl keygen")
	}
	if m.Entity == "" || m.From.IsZero() {
		return attest.Statement{}, errorf(ErrInvalid, "", "", "entity and from are required")
	}
	if !m.Until.IsZero() && !m.Until.After(m.From) {
		return attest.Statement{}, errorf(ErrPeriod, "", "until", "membership ends %s, not after it starts %s", formatTime(m.Until), formatTime(m.From))
	}
	w := membershipWire{Entity: m.Entity, MemberKey: base64.StdEncoding.EncodeToString(member), Role: m.Role, From: formatTime(m.From)}
	if !m.Until.IsZero() {
		w.Until = formatTime(m.Until)
	}
	return build(MembershipPredicateType, w, "entity:"+m.Entity)
}

// NewEntityStatement builds the statement of e's known facts, about
// "entity:<id>". Provenance fields are ignored: they come from who signs.
func NewEntityStatement(e Entity) (attest.Statement, error) {
	if e.ID == "" || e.AsOf.IsZero() {
		return attest.Statement{}, errorf(ErrInvalid, "", "", "entity id and as-of date are required")
	}
	w := entityWire{Entity: e.ID, Name: e.Name, Key: e.Key, AsOf: formatTime(e.AsOf)}
	if e.Kind.Known {
		w.Kind = string(e.Kind.Value)
	}
	if e.WorkerOwned.Known {
		w.WorkerOwned = &e.WorkerOwned.Value
	}
	if e.SurplusToWorkers.Known {
		w.SurplusToWorkers = &e.SurplusToWorkers.Value
	}
	if e.Headcount.Known {
		w.Headcount = &e.Headcount.Value
	}
	if e.AnnualRevenue.Known {
		w.AnnualRevenue = &moneyWire{e.AnnualRevenue.Value.Amount, e.AnnualRevenue.Value.Currency}
	}
	return build(EntityPredicateType, w, "entity:"+e.ID)
}

func build(predicateType string, w any, subject string) (attest.Statement, error) {
	raw, err := canonjson.Marshal(w)
	if err != nil {
		return attest.Statement{}, err
	}
	// Validate what we are about to sign with the decoder's own checks.
	if err := decodePredicate(predicateType, raw, "", newWire(predicateType)); err != nil {
		return attest.Statement{}, err
	}
	return attest.NewStatement(predicateType, w, attest.SubjectFor(subject))
}

func newWire(predicateType string) any {
	switch predicateType {
	case ContributionPredicateType:
		return new(contributionWire)
	case MembershipPredicateType:
		return new(membershipWire)
	}
	return new(entityWire)
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
