package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// Sentinels for errors.Is. Evaluate fails only on a request it cannot
// decide at all; evidence that fails is ignored and listed, not an error.
var (
	ErrRequest = errors.New("policy: invalid request")
	ErrPrice   = errors.New("policy: cannot compute the price")
)

// evidencePredicates are the statement types a request's evidence may hold.
var evidencePredicates = []string{
	contribution.ContributionPredicateType,
	contribution.MembershipPredicateType,
	contribution.EntityPredicateType,
	FactPredicateType,
	ControlPredicateType,
	GrantPredicateType,
	grantV1PredicateType, // to be refused as covering no use
}

// Evaluate decides r. The same evaluator and request give the same
// decision, byte for byte; evaluations do not affect each other.
func (e *Evaluator) Evaluate(r *Request) (*Decision, error) {
	d := new(Decision)
	if err := e.EvaluateInto(d, r); err != nil {
		return nil, err
	}
	return d, nil
}

// EvaluateInto is Evaluate deciding into d, which it overwrites whole. A
// backend that decides many requests and keeps none of the decisions, or
// keeps only what it copies out (MarshalJSON's bytes, the price), can reuse
// one Decision: a request without evidence then allocates nothing. d must
// not be in use elsewhere meanwhile, and what it held before is gone.
func (e *Evaluator) EvaluateInto(d *Decision, r *Request) error {
	switch {
	case e == nil:
		return fmt.Errorf("%w: no Evaluator: make one with Compile", ErrConfig)
	case d == nil:
		return fmt.Errorf("%w: no Decision to decide into", ErrRequest)
	case r == nil:
		return fmt.Errorf("%w: no Request", ErrRequest)
	case r.Use.Seats < 0:
		return fmt.Errorf("%w: Use.Seats is %d: a use has at least one seat (0 counts as 1)", ErrRequest, r.Use.Seats)
	}
	if r.At.IsZero() {
		return fmt.Errorf("%w: At is required (there is no hidden clock)", ErrRequest)
	}
	if err := r.checkIDs(); err != nil {
		return err
	}
	if len(r.Evidence) > 0 && e.trust == nil {
		return fmt.Errorf("%w: evidence given but the evaluator has no Trust", ErrRequest)
	}
	more := d.more
	*d = Decision{eval: e, entity: r.Entity.ID, purpose: r.Use.Purpose, at: r.At, seats: r.Use.Seats}
	d.flags.set(flagCommercial, r.Use.Commercial)
	// x collects the details on the stack; they are kept only if any.
	x := details{firstUse: r.Use.FirstUse, trialFrom: r.Use.FirstUse, released: r.Use.Released, noticeAt: r.NoticeAt}
	if len(r.Facts) > 0 {
		x.declared = slices.Clone(r.Facts)
	}
	if len(r.FirstUses) > 0 {
		x.firstUses = maps.Clone(r.FirstUses)
	}
	ent := r.Entity
	ev := evidence{}
	if len(r.Evidence) > 0 {
		ev = e.evidenceFor(&x, r)
		x.evidence = ev.set.raw // the set's own copy: the caller may reuse theirs
	}
	for _, got := range ev.self {
		mergeEntity(&ent, got)
	}
	e.facts(d, &x, &ent)
	if e.terms.CountAffiliates {
		e.countGroup(d, &x, ent, ev.others, ev.controls)
	}
	for _, n := range ev.named {
		x.named = append(x.named, license.NamedFact{Name: n.name, Attested: n.attested})
		x.used = append(x.used, FactUsed{Name: n.name, Value: "true", SelfDeclared: !n.attested, By: n.by, Statement: n.statement})
	}

	recip := r.Reciprocity
	fromSet := false // recip is the evidence set's remembered answer
	if recip == nil && e.recip != nil {
		q, _ := e.Query(r.Entity.ID, r.At)
		var err error
		l := r.Ledger
		if l == nil {
			l = ev.ledger
		}
		if l != nil {
			var rr contribution.Reciprocity
			if l == ev.ledger { // from evidence: the set remembers answers
				rr, err = ev.set.reciprocity(q, x.group)
				fromSet = true
			} else {
				// A caller's ledger may hold years of history: list the
				// statements only when few (Statements counts them all;
				// Ledger.CountedStatements pages through them).
				q.MaxStatements = 64
				rr, err = groupReciprocity(r.context(), l, q, x.group)
			}
			recip = &rr
		}
		if err != nil {
			return fmt.Errorf("policy: reciprocity: %w", err)
		}
	}
	if e.recip != nil && recip != nil {
		d.points = int64(recip.Total)
		d.recip = recip
	}

	f := d.licenseFacts(&x)
	var buf [8]license.Step
	i, steps := e.terms.Evaluate(&f, buf[:0])
	if i < 0 {
		return fmt.Errorf("%w: the terms have no default clause", ErrRequest)
	}
	d.clause = int32(i)
	clause := &e.terms.Clauses[i]
	d.outcome = codeOf(Outcome(clause.Effect))
	if d.outcome == codePay {
		if err := e.price(d, clause, &f); err != nil {
			return err
		}
	}
	if g := e.grantFor(&x, r, ev.grants); g != nil {
		e.applyGrant(d, &x, g)
	}
	if err := e.pathAndValidity(d, &x, r, steps, &f, ev); err != nil {
		return err
	}
	if len(ev.counted) > 0 {
		used := d.statementsUsed(&x)
		if fromSet && len(used) == 0 {
			x.counted = ev.set.counted(r.At, x.group, func() []Counted { return ev.countedFor(recip, nil) })
		} else {
			x.counted = ev.countedFor(recip, used)
		}
	}
	if !x.empty() {
		if more == nil {
			more = new(details)
		}
		*more = x
		d.more = more
	}
	return nil
}

func (e *Evaluator) price(d *Decision, c *license.Clause, f *license.Facts) error {
	s, ok := e.terms.Schedule(c.Price)
	if !ok {
		return fmt.Errorf("%w: clause %q names unknown schedule %q", ErrPrice, c.ID, c.Price)
	}
	amount, err := s.Compute(d.seats, f)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPrice, err)
	}
	d.amount = amount
	return nil
}

// facts takes the entity's known facts for the decision, dropping
// self-declared ones unless the evaluator accepts them.
func (e *Evaluator) facts(d *Decision, x *details, ent *contribution.Entity) {
	use := func(name, value string, p contribution.Provenance) bool { return e.useFact(x, name, value, p) }
	if k := ent.Kind; k.Known && e.acceptable(x, "kind", k.Provenance) {
		d.kind, d.kindBy, d.kindStatement = string(k.Value), k.By, k.Statement
		d.flags.set(flagKindAttested, !k.SelfDeclared && k.By != "")
	}
	wo, st := ent.WorkerOwned, ent.SurplusToWorkers
	if wo.Known && st.Known {
		both := wo.Value && st.Value
		p := wo.Provenance
		if !wo.Value || (st.SelfDeclared || st.By == "") {
			p = st.Provenance // report the weaker of the two
			if !wo.Value {
				p = wo.Provenance
			}
		}
		if use("worker-owned", strconv.FormatBool(both), p) {
			d.flags.set(flagWorkerOwned, both)
			d.flags.set(flagWorkerOwnedKnown, true)
			d.flags.set(flagWorkerOwnedAttested, !p.SelfDeclared && p.By != "")
		}
	}
	if h := ent.Headcount; h.Known && use("headcount", strconv.FormatInt(h.Value, 10), h.Provenance) {
		x.headcount = h.Value
		d.flags.set(flagHeadcountKnown, true)
	}
	if rv := ent.AnnualRevenue; rv.Known && use("revenue", license.Money{Amount: rv.Value.Amount, Currency: rv.Value.Currency}.String(), rv.Provenance) {
		x.revenue = license.Money{Amount: rv.Value.Amount, Currency: rv.Value.Currency}
		d.flags.set(flagRevenueKnown, true)
	}
	for _, name := range x.declared {
		x.named = append(x.named, license.NamedFact{Name: name})
		x.used = append(x.used, FactUsed{Name: name, Value: "true", SelfDeclared: true})
	}
}

// acceptable says whether a fact may count, and, for a self-declared fact
// these terms do not accept, ignores it with the reason.
func (e *Evaluator) acceptable(x *details, name string, p contribution.Provenance) bool {
	self := p.SelfDeclared || p.By == ""
	if self && e.terms.Requires(name) {
		x.ignored = append(x.ignored, Ignored{Statement: p.Statement, KeyID: p.By,
			Reason: "self-declared fact " + name + " not counted: these terms require it attested"})
		return false
	}
	if self && !e.selfOK {
		x.ignored = append(x.ignored, Ignored{Statement: p.Statement, KeyID: p.By,
			Reason: "self-declared fact " + name + " not accepted: the evaluator accepts attested facts only"})
		return false
	}
	return true
}

// useFact records a fact the evaluation relies on, if it is acceptable.
func (e *Evaluator) useFact(x *details, name, value string, p contribution.Provenance) bool {
	if !e.acceptable(x, name, p) {
		return false
	}
	x.used = append(x.used, FactUsed{Name: name, Value: value, SelfDeclared: p.SelfDeclared || p.By == "", By: p.By, Statement: p.Statement})
	return true
}

// pathAndValidity finds when contributions that make the entity free fall
// below the threshold, and the decision's ValidUntil.
func (e *Evaluator) pathAndValidity(d *Decision, x *details, r *Request, steps []license.Step, f *license.Facts, ev evidence) error {
	v := validity{at: r.At, until: d.validUntil}
	if c, ok := e.cure(d.outcome, x.noticeAt, r.At); ok && c.Open {
		v.earliest(c.Deadline)
	}
	for _, t := range ev.expiries {
		v.earliest(t)
	}
	// Leaves about time change their answer at known instants.
	for _, s := range steps {
		v.timeLeaves(e.terms.Clauses[s.Clause].When, f)
	}
	if e.recip != nil {
		threshold := contribution.Points(e.recip.MinPoints * 1000)
		if contribution.Points(d.points) >= threshold && int(d.clause) == e.recipClause && x.grant == nil {
			q, _ := e.Query(r.Entity.ID, r.At)
			var t time.Time
			var ok bool
			var err error
			switch {
			case r.Ledger != nil:
				t, ok, err = r.Ledger.FallsBelow(r.context(), q, threshold)
			case ev.ledger != nil:
				t, ok, err = ev.set.fallsBelow(q, threshold)
			}
			if err != nil {
				return fmt.Errorf("policy: reciprocity decay: %w", err)
			}
			if ok {
				x.freeUntil = t
				v.earliest(t)
			}
		}
	}
	d.validUntil = v.until
	return nil
}

// validity tracks the earliest future instant a decision could change.
type validity struct {
	at, until time.Time
}

func (v *validity) earliest(t time.Time) {
	if !t.IsZero() && t.After(v.at) && (v.until.IsZero() || t.Before(v.until)) {
		v.until = t
	}
}

func (v *validity) timeLeaves(c *license.Condition, f *license.Facts) {
	if c == nil {
		return
	}
	switch {
	case c.TrialDays != nil:
		v.earliest(c.TrialEnd(f))
	case c.OnOrAfter != nil:
		v.earliest(c.OnOrAfter.Time)
	case c.ReleasedYears != nil:
		v.earliest(c.ConversionAt(f))
	}
	for _, s := range c.All {
		v.timeLeaves(s, f)
	}
	for _, s := range c.Any {
		v.timeLeaves(s, f)
	}
	v.timeLeaves(c.Not, f)
}

// evidence is what verifying a request's envelopes established. It may be
// shared by the decisions of requests with the same evidence (see
// evidenceSet): read it, never change it.
type evidence struct {
	self     []contribution.Entity // statements about the entity itself, in order
	holds    attest.Span           // the instants at which this is the answer
	dates    []time.Time           // the ledger's contribution dates
	set      *evidenceSet          // the cache entry this came from; set whenever there was evidence
	named    []namedFact
	others   map[string]contribution.Entity // affiliates' facts, by entity id
	controls []Control
	ledger   *contribution.Ledger
	counted  []Counted // by statement digest, sorted
	expiries []time.Time
	grants   []seenGrant // verified; whether one covers the request is judged per request
}

type namedFact struct {
	name, by, statement string
	attested            bool
}

// countedFor lists, sorted by digest, the statements used (entity, fact,
// grant) plus the contribution statements the reciprocity answer counted
// (with the points each added), and the entity's memberships. Both
// ev.counted and recip.ByStatement are sorted, so one merge pass picks
// them out.
func (ev evidence) countedFor(recip *contribution.Reciprocity, used []string) []Counted {
	var stmts []contribution.Share
	if recip != nil {
		stmts = recip.ByStatement
		if !slices.IsSortedFunc(stmts, byKey) {
			stmts = slices.SortedFunc(slices.Values(stmts), byKey)
		}
	}
	out := make([]Counted, 0, len(ev.counted))
	j := 0
	for _, c := range ev.counted {
		for j < len(stmts) && stmts[j].Key < c.Statement {
			j++
		}
		switch {
		case j < len(stmts) && stmts[j].Key == c.Statement:
			c.Points = stmts[j].Points
		case c.PredicateType == contribution.MembershipPredicateType, slices.Contains(used, c.Statement):
			// Memberships reaching here are the entity's own (others are ignored).
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// statementsUsed lists the entity, fact and grant statements the decision
// relied on: they count whatever the reciprocity answer, and make the
// decision's counted evidence its own.
func (d *Decision) statementsUsed(x *details) []string {
	var out []string
	if d.kindStatement != "" {
		out = append(out, d.kindStatement)
	}
	for _, f := range x.used {
		if f.Statement != "" {
			out = append(out, f.Statement)
		}
	}
	if x.grant != nil {
		out = append(out, x.grant.Statement)
	}
	return out
}

func byKey(a, b contribution.Share) int { return strings.Compare(a.Key, b.Key) }

// verifyEvidence verifies and decodes a request's envelopes (the evidence
// set's own copy of them, handed to the verification cache). Facts about
// the entity itself are returned in ev.self for the caller to merge, and
// ev.holds is the span of instants at which the same evidence would give
// the same result.
func (e *Evaluator) verifyEvidence(x *details, r *Request, envelopes [][]byte) evidence {
	ent := &r.Entity
	ev := evidence{}
	counted := make(map[string]Counted, len(r.Evidence))
	ignore := func(raw []byte, digest, key string, err error) {
		sum := sha256.Sum256(raw)
		x.ignored = append(x.ignored, Ignored{Envelope: "sha256:" + hex.EncodeToString(sum[:]), Statement: digest, KeyID: key, Reason: reason(err), Err: err})
	}
	opts := attest.VerifyOptions{Time: r.At, PredicateTypes: evidencePredicates, Owned: true}
	verified, errs := e.trust.VerifyAll(envelopes, opts)
	for i, raw := range envelopes {
		v, err := verified[i], errs[i]
		if err != nil {
			var ve *attest.VerifyError
			digest, key := "", ""
			if errors.As(err, &ve) {
				digest, key = ve.Digest, ve.KeyID
				ev.holds = ev.holds.Intersect(ve.Holds)
			}
			ignore(raw, digest, key, err)
			continue
		}
		ev.holds = ev.holds.Intersect(v.Holds)
		signer := v.Signers[0]
		switch v.Statement.PredicateType {
		case contribution.EntityPredicateType:
			got, err := contribution.DecodeEntity(v, ent.Key)
			if err == nil && got.ID != ent.ID && !e.terms.CountAffiliates {
				err = fmt.Errorf("%w: statement is about entity %q, not %q", ErrOutOfRequest, got.ID, ent.ID)
			}
			if err != nil {
				ignore(raw, v.Digest, signer, err)
				continue
			}
			if got.ID == ent.ID {
				ev.self = append(ev.self, got)
			} else {
				// An affiliate's facts count only when it is in the group;
				// self-declared figures of affiliates are not taken.
				if ev.others == nil {
					ev.others = map[string]contribution.Entity{}
				}
				o := ev.others[got.ID]
				o.ID = got.ID
				mergeEntity(&o, got)
				ev.others[got.ID] = o
			}
		case ControlPredicateType:
			c, from, until, err := decodeControl(v)
			if err == nil {
				ev.holds = ev.holds.Around(r.At, from, until)
				err = c.inForce(from, until, r.At)
			}
			if err == nil && !e.terms.CountAffiliates {
				err = fmt.Errorf("%w: these terms do not count affiliates", ErrOutOfRequest)
			}
			if err != nil {
				ignore(raw, v.Digest, signer, err)
				continue
			}
			ev.controls = append(ev.controls, c)
		case contribution.ContributionPredicateType, contribution.MembershipPredicateType:
			if r.Ledger != nil || r.Reciprocity != nil {
				ignore(raw, v.Digest, signer, ErrLedgerSupplied)
				continue
			}
			if ev.ledger == nil {
				ev.ledger = contribution.NewLedger(nil)
				_ = ev.ledger.AddCommons(e.commons)
				for _, p := range e.peers {
					_ = ev.ledger.AddCommons(p)
				}
			}
			at, err := e.ingest(ev.ledger, v, ent.ID)
			if err != nil {
				ignore(raw, v.Digest, signer, err)
				continue
			}
			if !at.IsZero() {
				ev.dates = append(ev.dates, at)
			}
		case FactPredicateType:
			f, err := decodeFact(v)
			if err == nil && f.Entity != ent.ID {
				err = fmt.Errorf("%w: fact about entity %q, not %q", ErrOutOfRequest, f.Entity, ent.ID)
			}
			if err != nil {
				ignore(raw, v.Digest, signer, err)
				continue
			}
			// Signed by the entity's own key it is self-declared.
			self := ent.Key != "" && slices.Contains(v.Signers, ent.Key)
			ev.named = append(ev.named, namedFact{name: f.Fact, attested: !self, by: signer, statement: v.Digest})
		case GrantPredicateType, grantV1PredicateType:
			g, err := decodeGrant(v)
			if err != nil {
				ignore(raw, v.Digest, signer, err)
				continue
			}
			sum := sha256.Sum256(raw)
			ev.grants = append(ev.grants, seenGrant{grant: g, envelope: "sha256:" + hex.EncodeToString(sum[:]), signer: signer})
			// Its expiry bounds only a decision it decides (applyGrant).
			counted[v.Digest] = Counted{Statement: v.Digest, PredicateType: v.Statement.PredicateType, Signers: v.Signers}
			continue
		}
		counted[v.Digest] = Counted{Statement: v.Digest, PredicateType: v.Statement.PredicateType, Signers: v.Signers}
		if !v.ValidUntil.IsZero() {
			ev.expiries = append(ev.expiries, v.ValidUntil)
		}
	}
	ev.counted = make([]Counted, 0, len(counted))
	for _, c := range counted {
		ev.counted = append(ev.counted, c)
	}
	slices.SortFunc(ev.counted, func(a, b Counted) int { return strings.Compare(a.Statement, b.Statement) })
	return ev
}

// ingest adds a verified contribution or membership to the request's own
// ledger, refusing contributions to commons that do not count here.
// It returns a contribution's date (zero for a membership).
func (e *Evaluator) ingest(l *contribution.Ledger, v *attest.Verified, entity string) (time.Time, error) {
	d := e.decode(v, l)
	if d.err != nil {
		return time.Time{}, d.err
	}
	if c := d.contribution; c != nil {
		if c.Commons != e.commons.ID && (e.recognised == nil || e.recognised[c.Commons] == 0) {
			return time.Time{}, fmt.Errorf("%w: contribution to %q, which %q does not recognise", ErrWrongCommons, c.Commons, e.commons.ID)
		}
		// A ledger splits a contribution naming no entity among all its
		// contributor's entities. Here only the memberships the request
		// chose to present are known: an entity leaving out the others
		// would take the whole, and so would each of them. Only the
		// steward's naming of the entity makes it countable here.
		if c.Entity == "" {
			return time.Time{}, &contribution.Error{Err: ErrNoEntity, Statement: c.Statement, Pointer: "/entity", KeyID: c.Contributor,
				Detail: "in a request's evidence a contribution counts only for the entity it names, as the contributor's other memberships " +
					"are unknown here; have the steward name the entity, or decide with a Ledger, which splits it among all the contributor's entities"}
		}
		_, err := l.AddContribution(context.Background(), *c)
		return c.At, err
	}
	m := d.membership
	// Where terms count affiliates, memberships in other entities may be
	// the group's; the group is known only once all evidence is read, and
	// the ledger is then asked for the group's members alone.
	if m.Entity != entity && !e.terms.CountAffiliates {
		return time.Time{}, fmt.Errorf("%w: membership in %q, not %q", ErrOutOfRequest, m.Entity, entity)
	}
	_, err := l.AddMembership(context.Background(), *m)
	return time.Time{}, err
}

// mergeEntity takes each fact the statement establishes; an attested fact
// replaces a self-declared one, never the reverse.
func mergeEntity(dst *contribution.Entity, src contribution.Entity) {
	better := func(known bool, p contribution.Provenance, curKnown bool, cur contribution.Provenance) bool {
		if !known {
			return false
		}
		return !curKnown || cur.SelfDeclared || cur.By == "" || !p.SelfDeclared
	}
	if better(src.Kind.Known, src.Kind.Provenance, dst.Kind.Known, dst.Kind.Provenance) {
		dst.Kind = src.Kind
	}
	if better(src.WorkerOwned.Known, src.WorkerOwned.Provenance, dst.WorkerOwned.Known, dst.WorkerOwned.Provenance) {
		dst.WorkerOwned = src.WorkerOwned
	}
	if better(src.SurplusToWorkers.Known, src.SurplusToWorkers.Provenance, dst.SurplusToWorkers.Known, dst.SurplusToWorkers.Provenance) {
		dst.SurplusToWorkers = src.SurplusToWorkers
	}
	if better(src.Headcount.Known, src.Headcount.Provenance, dst.Headcount.Known, dst.Headcount.Provenance) {
		dst.Headcount = src.Headcount
	}
	if better(src.AnnualRevenue.Known, src.AnnualRevenue.Provenance, dst.AnnualRevenue.Known, dst.AnnualRevenue.Provenance) {
		dst.AnnualRevenue = src.AnnualRevenue
	}
}

// More reasons evidence is ignored.
var (
	ErrOutOfRequest   = errors.New("evidence is about another entity or commons")
	ErrLedgerSupplied = errors.New("a ledger was supplied: contributions and memberships count from it, ingest this statement there")
	ErrWrongCommons   = errors.New("wrong commons")
	// ErrNoEntity refuses, in a request's evidence, a contribution that
	// names no entity: counted in full it could count for each of its
	// contributor's entities, and its share cannot be known without all of
	// their memberships (see the package doc, "Counting a contribution
	// once").
	ErrNoEntity = errors.New("contribution names no entity")
)

// reason words a refusal for the Ignored list: its kind, then its facts.
func reason(err error) string {
	if w := ReasonWord(err); w != "" {
		return w + ": " + err.Error()
	}
	return err.Error()
}

// reasonWords name the kinds of refusal, most specific first.
var reasonWords = []struct {
	err  error
	word string
}{
	{attest.ErrBadSignature, "bad signature"},
	{attest.ErrUntrustedKey, "untrusted key"},
	{attest.ErrOutOfScope, "out of scope"},
	{attest.ErrRevoked, "revoked"},
	{attest.ErrExpired, "expired"},
	{attest.ErrNotYetValid, "not yet valid"},
	{attest.ErrWrongType, "wrong type"},
	{attest.ErrThreshold, "too few signers"},
	{attest.ErrMalformed, "malformed"},
	{attest.ErrTooLarge, "too large"},
	{attest.ErrWeakKey, "weak key"},
	{attest.ErrInvalidID, "invalid id"},
	{contribution.ErrNotSteward, "not signed by a steward"},
	{contribution.ErrMissingSignature, "missing signature"},
	{contribution.ErrSchema, "schema violation"},
	{contribution.ErrUnknownCommons, "unknown commons"},
	{ErrWrongCommons, "wrong commons"},
	{ErrOutOfRequest, "out of scope"},
	{ErrLedgerSupplied, "counted by ledger"},
	{ErrNoEntity, "names no entity"},
	{ErrGrant, "grant does not apply"},
}

// ReasonWord names the kind of a refusal of evidence in a few words ("out
// of scope", "revoked", "not signed by a steward", …), or returns "" for an
// error of another kind. A backend can use it as a problem title.
func ReasonWord(err error) string {
	for _, r := range reasonWords {
		if errors.Is(err, r.err) {
			return r.word
		}
	}
	return ""
}

// groupReciprocity asks the ledger for the entity, or, when the terms count
// affiliates and it has some, for each member of its group, and merges the
// answers. The ledger never counts a contribution for two entities, so the
// sum counts each once.
func groupReciprocity(ctx context.Context, l *contribution.Ledger, q contribution.Query, group []string) (contribution.Reciprocity, error) {
	if len(group) < 2 {
		return l.Reciprocity(ctx, q)
	}
	var out contribution.Reciprocity
	byCommons, byMember, byKind, byStatement := map[string]contribution.Points{}, map[string]contribution.Points{}, map[string]contribution.Points{}, map[string]contribution.Points{}
	for _, m := range group {
		q.Entity = m
		r, err := l.Reciprocity(ctx, q)
		if err != nil {
			return out, err
		}
		out.Total += r.Total
		for _, s := range r.ByCommons {
			byCommons[s.Key] += s.Points
		}
		for _, s := range r.ByMember {
			byMember[s.Key] += s.Points
		}
		for _, s := range r.ByKind {
			byKind[s.Key] += s.Points
		}
		for _, s := range r.ByStatement {
			byStatement[s.Key] += s.Points
		}
	}
	out.ByCommons, out.ByMember, out.ByKind = sortedShares(byCommons), sortedShares(byMember), sortedShares(byKind)
	out.ByStatement = sortedShares(byStatement)
	return out, nil
}

func sortedShares(m map[string]contribution.Points) []contribution.Share {
	out := make([]contribution.Share, 0, len(m))
	for k, v := range m {
		out = append(out, contribution.Share{Key: k, Points: v})
	}
	slices.SortFunc(out, byKey)
	return out
}
