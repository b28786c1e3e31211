package policy

import (
	"slices"
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
// its methods; render it with MarshalJSON (stable bytes) or Explain (a
// short text for people). A Decision is immutable once made, so the grant
// SignGrant signs for it says exactly what the evaluator decided. Slices
// its methods return may be shared with the Evaluator and must not be
// modified.
//
// A Decision keeps what was decided and the facts it was decided on, and
// derives the rest when asked: Clauses re-runs the terms on the stored
// facts (the same facts give the same steps), PathToFree is computed from
// the points and the terms' rule. A quote that is only priced therefore
// costs one small allocation; its explanation is paid for when it is read.
type Decision struct {
	eval  *Evaluator
	recip *contribution.Reciprocity // the answer counted; nil when the terms ask none or nothing answered
	more  *details                  // nil when the request needed none of it

	entity  string
	purpose string
	// The entity kind counted ("" unknown), and who said so.
	kind, kindBy, kindStatement string

	at, validUntil time.Time
	seats          int64
	amount         int64 // the price's amount, when the terms price the use
	points         int64 // reciprocity counted, thousandths of a point

	clause  int32 // index of the terms' deciding clause
	outcome outcomeCode
	flags   factFlags
}

// details holds what only some decisions need: evidence, facts beyond the
// entity kind, a group, a grant, and the request's less common parts. A
// decision without any of it allocates none of it.
type details struct {
	counted []Counted
	ignored []Ignored
	group   []string
	used    []FactUsed // facts used after the entity kind, in order
	named   []license.NamedFact
	grant   *Grant

	headcount int64
	revenue   license.Money
	trialFrom time.Time // the first use the trial counts from (the group's earliest)
	freeUntil time.Time // when reciprocity that makes the entity free falls below the threshold

	// The request's own parts the request digest covers.
	firstUse  time.Time
	released  time.Time
	noticeAt  time.Time
	firstUses map[string]time.Time
	evidence  [][]byte
	declared  []string
}

// empty reports whether x holds nothing; TestDetailsEmpty keeps it in step
// with the fields.
func (x *details) empty() bool {
	return x.counted == nil && x.ignored == nil && x.group == nil && x.used == nil && x.named == nil && x.grant == nil &&
		x.headcount == 0 && x.revenue == (license.Money{}) && x.trialFrom.IsZero() && x.freeUntil.IsZero() &&
		x.firstUse.IsZero() && x.released.IsZero() && x.noticeAt.IsZero() && x.firstUses == nil && x.evidence == nil && x.declared == nil
}

// outcomeCode is an Outcome in a byte; the zero Decision has none.
type outcomeCode uint8

const (
	codeNone outcomeCode = iota
	codeDeny
	codeFree
	codePay
)

func (c outcomeCode) outcome() Outcome {
	switch c {
	case codeDeny:
		return Deny
	case codeFree:
		return Free
	case codePay:
		return Pay
	}
	return ""
}

// codeOf encodes o; Compile and decodeGrant admit no other outcomes.
func codeOf(o Outcome) outcomeCode {
	switch o {
	case Deny:
		return codeDeny
	case Free:
		return codeFree
	case Pay:
		return codePay
	}
	return codeNone
}

// factFlags are the yes/no facts a decision was made on.
type factFlags uint16

const (
	flagCommercial factFlags = 1 << iota
	flagKindAttested
	flagWorkerOwned
	flagWorkerOwnedKnown
	flagWorkerOwnedAttested
	flagHeadcountKnown
	flagRevenueKnown
)

func (f factFlags) has(g factFlags) bool { return f&g != 0 }

func (f *factFlags) set(g factFlags, on bool) {
	if on {
		*f |= g
	} else {
		*f &^= g
	}
}

// x returns the decision's details, or empty ones. It is inlined, so the
// empty ones live on the caller's stack.
func (d *Decision) x() *details {
	if d.more != nil {
		return d.more
	}
	return new(details)
}

// licenseFacts rebuilds the facts the terms were evaluated on. Evaluation
// itself evaluates what this returns, so Clauses sees the same facts.
func (d *Decision) licenseFacts(x *details) license.Facts {
	f := license.Facts{At: d.at, Commercial: d.flags.has(flagCommercial), Purpose: d.purpose,
		Kind: d.kind, KindAttested: d.flags.has(flagKindAttested),
		WorkerOwned: d.flags.has(flagWorkerOwned), WorkerOwnedKnown: d.flags.has(flagWorkerOwnedKnown),
		WorkerOwnedAttested: d.flags.has(flagWorkerOwnedAttested),
		Headcount:           x.headcount, HeadcountKnown: d.flags.has(flagHeadcountKnown),
		Revenue: x.revenue, RevenueKnown: d.flags.has(flagRevenueKnown),
		FirstUse: x.trialFrom, Released: x.released, Named: x.named, Index: d.eval.index}
	if d.eval.recip != nil {
		f.Points, f.PointsKnown = d.points, true
	}
	return f
}

// Outcome says whether the entity uses the commons free, pays, or is denied.
func (d *Decision) Outcome() Outcome { return d.outcome.outcome() }

// Price is what a pay decision costs; the zero Price for any other.
func (d *Decision) Price() Price {
	if d.outcome != codePay {
		return Price{}
	}
	if g := d.x().grant; g != nil {
		if g.Price == nil {
			return Price{}
		}
		return Price{Amount: g.Price.Amount, Currency: g.Price.Currency, Period: g.Price.Period}
	}
	s, ok := d.eval.terms.Schedule(d.eval.terms.Clauses[d.clause].Price)
	if !ok {
		return Price{} // EvaluateInto refused such terms
	}
	return Price{Amount: d.amount, Currency: s.Currency, Period: s.Period, Schedule: s.ID, Placeholder: s.Placeholder}
}

// Clause returns the id of the deciding clause, or "grant" when a grant
// presented as evidence decided.
func (d *Decision) Clause() string {
	if d.eval == nil {
		return ""
	}
	if d.x().grant != nil {
		return "grant"
	}
	return d.eval.terms.Clauses[d.clause].ID
}

// Obligations lists what the licensee owes: the terms' own obligations
// and those of the clause that decided.
func (d *Decision) Obligations() []license.Obligation {
	if d.eval == nil {
		return nil
	}
	return d.eval.obligations[d.clause]
}

// Counted lists the evidence that counted, sorted by statement digest.
func (d *Decision) Counted() []Counted { return d.x().counted }

// Ignored lists the evidence (and self-declared facts) that did not count,
// each with its reason.
func (d *Decision) Ignored() []Ignored { return d.x().ignored }

// Reciprocity is the ledger's answer, when the terms ask for one and a
// ledger (or Request.Reciprocity, then the caller's own value) gave it.
func (d *Decision) Reciprocity() *contribution.Reciprocity { return d.recip }

// PathToFree says what would make a paying entity free, or how long a
// contributor stays free. Nil when the terms have no reciprocity rule, or
// when the entity is free or denied on other grounds.
func (d *Decision) PathToFree() *Path {
	if d.eval == nil || d.eval.recip == nil {
		return nil
	}
	r := d.eval.recip
	threshold, cur := contribution.Points(r.MinPoints*1000), contribution.Points(d.points)
	p := Path{Threshold: threshold, Current: cur, Window: r.Window(), HalfLife: r.HalfLife(), Counting: d.eval.counting}
	if cur < threshold {
		p.Shortfall = threshold - cur
	} else {
		p.FreeUntil = d.x().freeUntil
	}
	// A path is shown to those who pay, and to those free through it.
	if d.outcome != codePay && p.Shortfall != 0 {
		return nil
	}
	return &p
}

// ValidUntil is the earliest time at which the same request could be
// decided differently (evidence expiring, contributions decaying below the
// threshold, a trial ending, a change date, a grant expiring); zero when
// nothing known ends it.
func (d *Decision) ValidUntil() time.Time { return d.validUntil }

// TermsDigest identifies the terms decided by.
func (d *Decision) TermsDigest() string {
	if d.eval == nil {
		return ""
	}
	return d.eval.termsDigest
}

// Grant returns the grant that decided, if one did: a copy, since the
// decision's price is the grant's.
func (d *Decision) Grant() *Grant {
	g := d.x().grant
	if g == nil {
		return nil
	}
	c := *g
	if g.Price != nil {
		p := *g.Price
		c.Price = &p
	}
	c.Signers = slices.Clone(g.Signers)
	return &c
}

// Group lists the entities whose size and revenue were counted, when the
// terms count affiliates (the entity alone when it has none known).
func (d *Decision) Group() []string { return d.x().group }

// Cure is set when the terms give a cure period, a notice was given and
// the outcome is pay or deny: the entity may still come into compliance
// (pay, contribute, …) and keep its license until Deadline.
func (d *Decision) Cure() *CureWindow {
	if d.eval == nil {
		return nil
	}
	if c, ok := d.eval.cure(d.outcome, d.x().noticeAt, d.at); ok {
		return &c
	}
	return nil
}

// cure is the cure window of a decision with this outcome, given notice at
// notice, at instant at; false when the terms give none or none applies.
func (e *Evaluator) cure(outcome outcomeCode, notice, at time.Time) (CureWindow, bool) {
	c := e.terms.Cure
	if c == nil || notice.IsZero() || outcome == codeFree {
		return CureWindow{}, false
	}
	deadline := notice.AddDate(0, 0, c.Days)
	return CureWindow{Notice: notice, Deadline: deadline, Open: at.Before(deadline)}, true
}

// Counted is a statement that counted toward the decision.
type Counted struct {
	Statement     string              // digest
	PredicateType string              //
	Signers       []string            // key ids
	Points        contribution.Points // for a contribution: the points it added to the reciprocity counted
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

// Clauses returns every clause evaluated, in order, the last one being
// the terms' deciding clause.
func (d *Decision) Clauses() []ClauseResult {
	if d.eval == nil {
		return nil
	}
	f := d.licenseFacts(d.x())
	var buf [8]license.Step
	_, steps := d.eval.terms.Evaluate(&f, buf[:0])
	out := make([]ClauseResult, len(steps))
	for i, s := range steps {
		c := d.eval.terms.Clauses[s.Clause]
		out[i] = ClauseResult{ID: c.ID, Effect: c.Effect, Held: s.Held, Reason: s.Reason(&f)}
	}
	return out
}

// FactsUsed lists the facts about the entity the evaluation had, each
// marked attested (with the key) or self-declared.
func (d *Decision) FactsUsed() []FactUsed {
	x := d.x()
	if d.kind == "" {
		return x.used
	}
	out := make([]FactUsed, 0, 1+len(x.used))
	out = append(out, FactUsed{Name: "kind", Value: d.kind, SelfDeclared: !d.flags.has(flagKindAttested), By: d.kindBy, Statement: d.kindStatement})
	return append(out, x.used...)
}

// RequestDigest identifies the request decided: "sha256:<hex>" of the
// canonical JSON of the commons, entity, use, time, evidence hashes and
// declared facts.
func (d *Decision) RequestDigest() string {
	if d.eval == nil {
		return ""
	}
	return d.eval.requestDigest(d)
}

// pointsCounted is the reciprocity the request digest covers: "" when
// none was counted.
func (d *Decision) pointsCounted() string {
	if d.recip == nil {
		return ""
	}
	return contribution.Points(d.points).String()
}

// Manifests names the commons manifests the evaluator's configuration was
// derived from (Config.Manifests), or nil.
func (d *Decision) Manifests() []ManifestRef {
	if d.eval == nil {
		return nil
	}
	return d.eval.manifests
}

// Entity returns the id of the entity decided for.
func (d *Decision) Entity() string { return d.entity }

// At returns the time the decision is for.
func (d *Decision) At() time.Time { return d.at }

// Commons returns the id of the commons.
func (d *Decision) Commons() string {
	if d.eval == nil {
		return ""
	}
	return d.eval.commons.ID
}

// CureWindow is the time a licensee has after a written notice to come
// into compliance.
type CureWindow struct {
	Notice   time.Time
	Deadline time.Time
	Open     bool // the decision's time is before Deadline
}
