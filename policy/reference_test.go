package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
)

// The reference encoding of a decision: a struct per object with its JSON
// tags, through canonjson.Marshal (encoding/json, then RFC 8785). It is
// plainly right and slow; MarshalJSON writes the same bytes directly, and
// TestMarshalMatchesReference and FuzzEvaluateEvidence hold it to this.

type decisionWire struct {
	Commons       string               `json:"commons"`
	Entity        string               `json:"entity"`
	At            string               `json:"at"`
	Outcome       Outcome              `json:"outcome"`
	Price         *priceWire           `json:"price,omitempty"`
	Clause        string               `json:"clause"`
	Clauses       []clauseWire         `json:"clauses"`
	Obligations   []license.Obligation `json:"obligations,omitempty"`
	Facts         []factWire           `json:"facts,omitempty"`
	Reciprocity   *reciprocityWire     `json:"reciprocity,omitempty"`
	PathToFree    *pathWire            `json:"pathToFree,omitempty"`
	Counted       []countedWire        `json:"counted,omitempty"`
	Ignored       []ignoredWire        `json:"ignored,omitempty"`
	Grant         string               `json:"grant,omitempty"`
	Cure          *cureWire            `json:"cure,omitempty"`
	Group         []string             `json:"group,omitempty"`
	ValidUntil    string               `json:"validUntil,omitempty"`
	TermsDigest   string               `json:"termsDigest"`
	RequestDigest string               `json:"requestDigest"`
}

type cureWire struct {
	Notice   string `json:"notice"`
	Deadline string `json:"deadline"`
	Open     bool   `json:"open"`
}

type priceWire struct {
	Amount      int64          `json:"amount"`
	Currency    string         `json:"currency"`
	Period      license.Period `json:"period"`
	Schedule    string         `json:"schedule"`
	Placeholder bool           `json:"placeholder,omitempty"`
}

type clauseWire struct {
	ID     string         `json:"id"`
	Effect license.Effect `json:"effect"`
	Held   bool           `json:"held"`
	Reason string         `json:"reason"`
}

type factWire struct {
	Name         string `json:"name"`
	Value        string `json:"value"`
	SelfDeclared bool   `json:"selfDeclared"`
	By           string `json:"by,omitempty"`
	Statement    string `json:"statement,omitempty"`
}

type shareWire struct {
	Key    string `json:"key"`
	Points string `json:"points"`
}

type reciprocityWire struct {
	Total     string      `json:"total"`
	ByCommons []shareWire `json:"byCommons,omitempty"`
	ByMember  []shareWire `json:"byMember,omitempty"`
	ByKind    []shareWire `json:"byKind,omitempty"`
}

type pathWire struct {
	Threshold string         `json:"threshold"`
	Current   string         `json:"current"`
	Shortfall string         `json:"shortfall"`
	Counting  []countingWire `json:"counting"`
	FreeUntil string         `json:"freeUntil,omitempty"`
	Window    string         `json:"window"`
	HalfLife  string         `json:"halfLife,omitempty"`
}

type countingWire struct {
	Commons string `json:"commons"`
	Weight  string `json:"weight"`
}

type countedWire struct {
	Statement     string   `json:"statement"`
	PredicateType string   `json:"predicateType"`
	Signers       []string `json:"signers"`
	Points        string   `json:"points,omitempty"`
}

type ignoredWire struct {
	Envelope  string `json:"envelope,omitempty"`
	Statement string `json:"statement,omitempty"`
	KeyID     string `json:"keyid,omitempty"`
	Reason    string `json:"reason"`
}

func shares(in []contribution.Share) []shareWire {
	out := make([]shareWire, len(in))
	for i, s := range in {
		out[i] = shareWire{Key: s.Key, Points: s.Points.String()}
	}
	return out
}

func (d *Decision) referenceJSON() ([]byte, error) {
	if d.eval == nil {
		return nil, ErrNoDecision
	}
	w := decisionWire{Commons: d.Commons(), Entity: d.entity, At: stamp(d.at), Outcome: d.Outcome(), Clause: d.Clause(),
		Obligations: d.Obligations(), ValidUntil: stamp(d.validUntil), TermsDigest: d.TermsDigest(), RequestDigest: d.RequestDigest()}
	if d.outcome == codePay {
		p := d.Price()
		w.Price = &priceWire{Amount: p.Amount, Currency: p.Currency, Period: p.Period, Schedule: p.Schedule, Placeholder: p.Placeholder}
	}
	for _, c := range d.Clauses() {
		w.Clauses = append(w.Clauses, clauseWire(c))
	}
	for _, f := range d.FactsUsed() {
		w.Facts = append(w.Facts, factWire(f))
	}
	if r := d.recip; r != nil {
		w.Reciprocity = &reciprocityWire{Total: r.Total.String(), ByCommons: shares(r.ByCommons), ByMember: shares(r.ByMember), ByKind: shares(r.ByKind)}
	}
	if p := d.PathToFree(); p != nil {
		pw := &pathWire{Threshold: p.Threshold.String(), Current: p.Current.String(), Shortfall: p.Shortfall.String(),
			FreeUntil: stamp(p.FreeUntil), Window: days(p.Window)}
		if p.HalfLife > 0 {
			pw.HalfLife = days(p.HalfLife)
		}
		for _, c := range p.Counting {
			pw.Counting = append(pw.Counting, countingWire{Commons: c.Commons, Weight: license.Milli(c.Weight).String()})
		}
		w.PathToFree = pw
	}
	x := d.x()
	for _, c := range x.counted {
		cw := countedWire{Statement: c.Statement, PredicateType: c.PredicateType, Signers: c.Signers}
		if c.PredicateType == contribution.ContributionPredicateType {
			cw.Points = c.Points.String()
		}
		w.Counted = append(w.Counted, cw)
	}
	for _, ig := range x.ignored {
		w.Ignored = append(w.Ignored, ignoredWire{Envelope: ig.Envelope, Statement: ig.Statement, KeyID: ig.KeyID, Reason: ig.Reason})
	}
	if x.grant != nil {
		w.Grant = x.grant.Statement
	}
	w.Group = x.group
	if c := d.Cure(); c != nil {
		w.Cure = &cureWire{Notice: stamp(c.Notice), Deadline: stamp(c.Deadline), Open: c.Open}
	}
	return canonjson.Marshal(w)
}

type requestWire struct {
	Commons    string   `json:"commons"`
	Entity     string   `json:"entity"`
	Commercial bool     `json:"commercial"`
	Purpose    string   `json:"purpose"`
	Seats      int64    `json:"seats"`
	FirstUse   string   `json:"firstUse,omitempty"`
	At         string   `json:"at"`
	Evidence   []string `json:"evidence,omitempty"`
	Facts      []string `json:"facts,omitempty"`
	Points     string   `json:"reciprocity,omitempty"`
	Released   string   `json:"released,omitempty"`
	NoticeAt   string   `json:"noticeAt,omitempty"`
	FirstUses  []string `json:"firstUses,omitempty"` // "entity@time", sorted
}

// referenceRequestDigest is requestDigest through the reference encoding.
func (e *Evaluator) referenceRequestDigest(d *Decision) string {
	x := d.x()
	w := requestWire{Commons: e.commons.ID, Entity: d.entity, Commercial: d.flags.has(flagCommercial), Purpose: d.purpose,
		Seats: d.seats, At: d.at.UTC().Format(time.RFC3339Nano), Facts: x.declared, Points: d.pointsCounted()}
	if !x.firstUse.IsZero() {
		w.FirstUse = x.firstUse.UTC().Format(time.RFC3339Nano)
	}
	if !x.released.IsZero() {
		w.Released = x.released.UTC().Format(time.RFC3339Nano)
	}
	if !x.noticeAt.IsZero() {
		w.NoticeAt = x.noticeAt.UTC().Format(time.RFC3339Nano)
	}
	for id, t := range x.firstUses {
		w.FirstUses = append(w.FirstUses, id+"@"+t.UTC().Format(time.RFC3339Nano))
	}
	slices.Sort(w.FirstUses)
	for _, ev := range x.evidence {
		sum := sha256.Sum256(ev)
		w.Evidence = append(w.Evidence, "sha256:"+hex.EncodeToString(sum[:]))
	}
	b, err := canonjson.Marshal(w)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestMarshalMatchesReference: MarshalJSON writes, byte for byte, what the
// reference encoding makes of the same decision, over decisions that use
// every member: prices (placeholder or not), paths, evidence counted and
// ignored, facts, a group, a grant, a cure window, and strings that need
// escaping or are not valid UTF-8.
func TestMarshalMatchesReference(t *testing.T) {
	w := newWorld(t)
	var decisions []*Decision
	decide := func(e *Evaluator, r *Request) {
		t.Helper()
		d, err := e.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		decisions = append(decisions, d)
	}
	ppl := w.evaluator(t, "ppl-reciprocity")
	for _, r := range goldenRequests(t, w) {
		decide(ppl, r)
	}
	// Ids are in attest's grammar now; the purpose still carries any text.
	odd := contribution.Entity{ID: "acme", Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}}
	decide(ppl, &Request{Entity: odd, Use: Use{Commercial: true, Purpose: "x\ty <&> \u2028 \"q\" \\ \x01 \xff\xfe é", Seats: 1 << 40}, At: at.In(time.FixedZone("x", 3600)),
		Facts: []string{"\xc3(", "a\"b"}, NoticeAt: at.AddDate(0, 0, -1)})
	decide(ppl, &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at,
		Evidence: [][]byte{memberOf(t, "acme", "alice"), memberOf(t, "acme", "bob"), contributed(t, "steward-alpha", "alpha", "alice", "code", 130, 3),
			contributed(t, "steward-beta", "beta", "bob", "docs", 20, 9), contributed(t, "steward-old", "alpha", "bob", "code", 9, 900)}})
	small := w.evaluator(t, "polyform-small-business-1.0.0")
	st, _ := NewControlStatement(Control{Controller: "parent", Controlled: "sub", From: "2020-01-01T00:00:00Z"})
	decide(small, &Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true, FirstUse: at.AddDate(0, 0, -3)}, At: at,
		NoticeAt: at.AddDate(0, 0, -40), FirstUses: map[string]time.Time{"parent": at.AddDate(0, -2, 0)},
		Evidence: [][]byte{envelope(t, st, "registrar"),
			registered(t, contribution.Entity{ID: "sub", Kind: kindFact(contribution.KindForProfit), Headcount: contribution.IntFact{Known: true, Value: 20},
				AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 10_000_00, Currency: "USD"}}}),
			registered(t, contribution.Entity{ID: "parent", Kind: kindFact(contribution.KindForProfit), Headcount: contribution.IntFact{Known: true, Value: 500}})}})
	for _, id := range license.Builtins() {
		e := w.evaluator(t, id)
		for _, use := range []Use{{Commercial: true, Purpose: "production"}, {Commercial: false, Released: at.AddDate(-5, 0, 0)}} {
			decide(e, &Request{Entity: contribution.Entity{ID: "coop"}, Use: use, At: at,
				Evidence: [][]byte{registered(t, contribution.Entity{ID: "coop", Kind: kindFact(contribution.KindWorkerCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true),
					AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 9_000_000_00, Currency: "USD"}}})}})
		}
	}
	// A grant decides.
	base, _ := ppl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at, Reciprocity: &contribution.Reciprocity{Total: 5}})
	g, err := SignGrant(base, key("marketplace"), "pay-1", at.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := g.MarshalJSON()
	decide(ppl, &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at.AddDate(0, 1, 0), Evidence: [][]byte{gb}})

	seen := map[string]bool{}
	for i, d := range decisions {
		got, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := d.referenceJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("decision %d:\ngot  %s\nwant %s", i, got, want)
		}
		if got, want := d.RequestDigest(), d.eval.referenceRequestDigest(d); got != want {
			t.Fatalf("decision %d: request digest %s, reference %s", i, got, want)
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(got, &members); err != nil {
			t.Fatal(err)
		}
		for k := range members {
			seen[k] = true
		}
	}
	for _, k := range []string{"at", "clause", "clauses", "commons", "counted", "cure", "entity", "facts", "grant", "group", "ignored",
		"obligations", "outcome", "pathToFree", "price", "reciprocity", "requestDigest", "termsDigest", "validUntil"} {
		if !seen[k] {
			t.Errorf("no decision here has %q: the test misses a case", k)
		}
	}
}
