package policy

import (
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// Outcome is what a decision says the entity may do.
type Outcome string

// The outcomes.
const (
	Free Outcome = "free" // use without payment
	Pay  Outcome = "pay"  // use under a paid license, at Price
	Deny Outcome = "deny" // not licensed
)

// Price is what a pay decision costs, in integer minor units.
type Price struct {
	Amount      int64
	Currency    string
	Period      license.Period
	Schedule    string // the schedule's id in the terms
	Placeholder bool   // the license sets no price; the commons has not set one
}

// Decision is the answer to a Request, with its reasons. Read it through
// its fields and methods; render it with MarshalJSON (stable bytes) or
// Explain (a short text for people). Slices in a Decision may be shared
// with the Evaluator and must not be modified.
type Decision struct {
	Outcome     Outcome
	Price       Price  // set when Outcome is Pay
	Clause      string // id of the deciding clause ("grant" when a grant decided)
	Obligations []license.Obligation

	// Counted lists the evidence that counted; Ignored the evidence that
	// did not, each with its reason.
	Counted []Counted
	Ignored []Ignored

	// Reciprocity is the ledger's answer when the terms ask for it.
	Reciprocity *contribution.Reciprocity

	// PathToFree says what would make a paying entity free, or how long a
	// contributor stays free. Nil when the terms have no reciprocity rule.
	PathToFree *Path

	// ValidUntil is the earliest time at which the same request could be
	// decided differently (evidence expiring, contributions decaying below
	// the threshold, a trial ending, a change date); zero when nothing
	// known ends it.
	ValidUntil time.Time

	TermsDigest string
	Grant       *Grant // the grant that decided, if one did

	// Group lists the entities whose size and revenue were counted, when
	// the terms count affiliates (the entity alone when it has none known).
	Group []string

	// Cure is set when the terms give a cure period, a notice was given and
	// the outcome is pay or deny: the entity may still come into compliance
	// (pay, contribute, …) and keep its license until Deadline.
	Cure *CureWindow

	facts     license.Facts
	factsUsed []FactUsed
	steps     []license.Step
	eval      *Evaluator
	req       requestKey // what the request digest covers, copied so reusing the caller's Request cannot change it

	// Backing arrays so a typical decision is one allocation.
	stepsBuf [6]license.Step
	factsBuf [2]FactUsed
	path     Path
}

// Counted is a statement that counted toward the decision.
type Counted struct {
	Statement     string   // digest
	PredicateType string   //
	Signers       []string // key ids
}

// Ignored is evidence that did not count, and why.
type Ignored struct {
	Envelope  string // sha256 of the envelope bytes, to find it again
	Statement string // digest, when the payload could be read
	KeyID     string // the key concerned, when one is
	Reason    string
	Err       error // the refusal, for errors.Is/As; not serialised
}

// Path is the way to free: the points still missing, and which commons
// count toward them; or, for an entity free through reciprocity, when its
// contributions will have decayed or aged below the threshold.
type Path struct {
	Threshold contribution.Points
	Current   contribution.Points
	Shortfall contribution.Points // zero when already free through reciprocity
	Counting  []contribution.Recognition
	FreeUntil time.Time // when Shortfall is zero: when points fall below Threshold
	Window    time.Duration
	HalfLife  time.Duration
}

// FactUsed is a fact about the entity a decision relied on, with where it
// came from.
type FactUsed struct {
	Name         string
	Value        string
	SelfDeclared bool
	By           string // key id that attested or declared it
	Statement    string // statement digest, when from a statement
}

// ClauseResult is one clause evaluated, and why it held or did not.
type ClauseResult struct {
	ID     string
	Effect license.Effect
	Held   bool
	Reason string
}

// Clauses returns every clause evaluated, in order, the last one deciding.
func (d *Decision) Clauses() []ClauseResult {
	out := make([]ClauseResult, len(d.steps))
	for i, s := range d.steps {
		c := d.eval.terms.Clauses[s.Clause]
		out[i] = ClauseResult{ID: c.ID, Effect: c.Effect, Held: s.Held, Reason: s.Reason(&d.facts)}
	}
	return out
}

// FactsUsed lists the facts about the entity the evaluation had, each
// marked attested (with the key) or self-declared.
func (d *Decision) FactsUsed() []FactUsed { return d.factsUsed }

// RequestDigest identifies the request decided: "sha256:<hex>" of the
// canonical JSON of the commons, entity, use, time, evidence hashes and
// declared facts.
func (d *Decision) RequestDigest() string {
	points := ""
	if d.Reciprocity != nil {
		points = d.Reciprocity.Total.String()
	}
	return d.eval.requestDigest(&d.req, points)
}

// Entity returns the id of the entity decided for.
func (d *Decision) Entity() string { return d.req.entity }

// At returns the time the decision is for.
func (d *Decision) At() time.Time { return d.req.at }

// Commons returns the id of the commons.
func (d *Decision) Commons() string { return d.eval.commons.ID }

// CureWindow is the time a licensee has after a written notice to come
// into compliance.
type CureWindow struct {
	Notice   time.Time
	Deadline time.Time
	Open     bool // the decision's time is before Deadline
}
