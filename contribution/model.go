package contribution

import (
	"crypto/ed25519"
	"time"
)

// Commons is a body of work with stewards who attest contributions to it.
type Commons struct {
	ID   string // in attest's id grammar (attest.CheckID)
	Name string
	// Stewards are the key ids (attest.KeyID) whose attestations of
	// contributions to this commons count.
	Stewards []string
	// Recognises lists other commons whose contributions count here, each at
	// its weight; they are attested by those commons' own stewards.
	Recognises []Recognition
}

// Recognition says a contribution to Commons counts at Weight thousandths
// (1000 = as much as a contribution to the recognising commons itself).
type Recognition struct {
	Commons string
	Weight  int64
}

// RecognisedWeights returns the Query.Recognised map for c: c itself at 1000
// and every recognised commons at its weight.
func (c Commons) RecognisedWeights() map[string]int64 {
	m := make(map[string]int64, len(c.Recognises)+1)
	for _, r := range c.Recognises {
		m[r.Commons] = r.Weight
	}
	m[c.ID] = 1000
	return m
}

// IsSteward reports whether keyID is one of c's stewards.
func (c Commons) IsSteward(keyID string) bool {
	for _, s := range c.Stewards {
		if s == keyID {
			return true
		}
	}
	return false
}

// Contributor is a person (or bot) identified by the key id of their key.
type Contributor struct {
	ID   string // attest.KeyID of Key
	Name string // display name, optional
	Key  ed25519.PublicKey
}

// EntityKind classifies an entity for license terms.
type EntityKind string

// Entity kinds.
const (
	KindIndividual        EntityKind = "individual"
	KindWorkerCooperative EntityKind = "worker-cooperative"
	KindCooperative       EntityKind = "cooperative"
	KindNonprofit         EntityKind = "nonprofit"
	KindPublicBody        EntityKind = "public-body"
	KindForProfit         EntityKind = "for-profit"
)

// Provenance says where a fact came from: attested by a key other than the
// entity's own (a registrar), or self-declared by the entity's own key.
type Provenance struct {
	By           string // key id that signed the statement
	Statement    string // statement digest ("sha256:<hex>")
	SelfDeclared bool
}

// Money is an amount in integer minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64
	Currency string
}

// BoolFact, IntFact and MoneyFact are facts with their provenance. Known is
// false when no statement said anything about the fact.
type (
	BoolFact struct {
		Known bool
		Value bool
		Provenance
	}
	IntFact struct {
		Known bool
		Value int64
		Provenance
	}
	MoneyFact struct {
		Known bool
		Value Money
		Provenance
	}
	KindFact struct {
		Known bool
		Value EntityKind
		Provenance
	}
)

// Entity is an organisation or person that uses a commons: the party a
// license decision is about.
type Entity struct {
	ID   string // in attest's id grammar (attest.CheckID)
	Name string
	// Key is the key id of the entity's own key, if it has one; statements it
	// signs about itself are self-declared.
	Key              string
	Kind             KindFact
	WorkerOwned      BoolFact
	SurplusToWorkers BoolFact
	Headcount        IntFact
	AnnualRevenue    MoneyFact
	AsOf             time.Time
}

// Membership ties a contributor to an entity for [From, Until); a zero Until
// is open-ended.
type Membership struct {
	Contributor string // key id
	Entity      string
	Role        string
	From, Until time.Time
	Statement   string // digest of the statement it came from
}

// Covers reports whether the membership holds at t.
func (m Membership) Covers(t time.Time) bool {
	return !t.Before(m.From) && (m.Until.IsZero() || t.Before(m.Until))
}

// Contribution is one attested piece of work for a commons.
type Contribution struct {
	Commons     string
	Contributor string // key id
	Entity      string // the entity it was made for; "" when none was named
	Kind        string // code, docs, design, review, translation, funding, hours, ...
	// Quantity is in thousandths of Unit (1500 with Unit "hours" is 1.5 hours).
	Quantity Quantity
	Unit     string
	// At is when it was made. For work over a period, From..At is the period
	// and the contribution is dated at its end, At.
	From, At  time.Time
	Evidence  []string // e.g. "gitCommit:<sha1>"
	Statement string   // digest of the statement it came from
}

// Quantity is a non-negative amount in thousandths of a unit, at most
// MaxQuantity.
type Quantity int64

// MaxQuantity bounds a single contribution (one billion units) so weighted
// sums cannot overflow int64.
const MaxQuantity Quantity = 1_000_000_000 * 1000

// String formats q with three decimals.
func (q Quantity) String() string { return Points(q).String() }
