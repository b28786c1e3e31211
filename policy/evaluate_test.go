package policy

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// pplCase is a row of TestPPLReciprocityTable.
type pplCase struct {
	name       string
	entity     string
	commercial bool
	evidence   [][]byte
	outcome    Outcome
	clause     string
	ignored    []string // reasons' prefixes, in order
}

func (tc pplCase) request() *Request {
	return &Request{Entity: contribution.Entity{ID: tc.entity}, Use: Use{Commercial: tc.commercial, Seats: 3}, At: at, Evidence: tc.evidence}
}

// pplCases are the rows of TestPPLReciprocityTable; building them revokes
// a statement in w's Trust.
func pplCases(t testing.TB, w *world) []pplCase {
	coop := registered(t, contribution.Entity{ID: "coop", Kind: kindFact(contribution.KindWorkerCooperative),
		WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)})
	acmeFacts := registered(t, contribution.Entity{ID: "acme", Kind: kindFact(contribution.KindForProfit), WorkerOwned: boolFact(false), SurplusToWorkers: boolFact(false)})

	// A forged envelope: a valid contribution with its signature altered.
	forgedEnv, _ := attest.ParseEnvelope(contributed(t, "steward-alpha", "alpha", "alice", "code", 500, 3))
	forgedEnv.Signatures[0].Sig[10] ^= 1
	forged, _ := forgedEnv.MarshalJSON()

	// A statement the registrar revoked.
	revokedStmt := contributed(t, "steward-alpha", "alpha", "alice", "code", 400, 4)
	v, err := w.trust.Verify(revokedStmt, attest.VerifyOptions{Time: at, PredicateTypes: []string{contribution.ContributionPredicateType}})
	if err != nil {
		t.Fatal(err)
	}
	rst, _ := attest.NewRevocationStatement(attest.Revocation{Statement: v.Digest, Reason: "double entry"})
	if _, err := w.trust.Revoke(envelope(t, rst, "registrar"), at); err != nil {
		t.Fatal(err)
	}

	return []pplCase{
		{"worker cooperative", "coop", true, [][]byte{coop}, Free, "worker-owned", nil},
		{"non-commercial user", "acme", false, nil, Free, "noncommercial", nil},
		{"for-profit contributor above threshold", "acme", true, [][]byte{acmeFacts, memberOf(t, "acme", "alice"),
			contributed(t, "steward-alpha", "alpha", "alice", "code", 120, 2)}, Free, "reciprocity", nil},
		{"for-profit contributor below threshold", "acme", true, [][]byte{acmeFacts, memberOf(t, "acme", "alice"),
			contributed(t, "steward-alpha", "alpha", "alice", "code", 40, 2)}, Pay, "private-license", nil},
		{"contributor to a recognised commons only", "peerco", true, [][]byte{memberOf(t, "peerco", "carol"),
			contributed(t, "steward-beta", "beta", "carol", "code", 260, 1)}, Free, "reciprocity", nil},
		{"only forged, expired, revoked and out-of-scope evidence", "acme", true, [][]byte{memberOf(t, "acme", "alice"),
			forged,
			contributed(t, "steward-old", "alpha", "alice", "code", 500, 2),
			revokedStmt,
			contributed(t, "steward-beta", "alpha", "alice", "code", 500, 2),
			contributed(t, "steward-alpha", "gamma", "alice", "code", 500, 2),
		}, Pay, "private-license", []string{"bad signature", "expired", "revoked", "out of scope", "out of scope"}},
	}
}

func TestPPLReciprocityTable(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	for _, tc := range pplCases(t, w) {
		t.Run(tc.name, func(t *testing.T) {
			d, err := e.Evaluate(tc.request())
			if err != nil {
				t.Fatal(err)
			}
			if d.Outcome() != tc.outcome || d.Clause() != tc.clause {
				t.Fatalf("%s by %q, want %s by %q\n%s", d.Outcome(), d.Clause(), tc.outcome, tc.clause, d.Explain())
			}
			if len(d.Ignored()) != len(tc.ignored) {
				t.Fatalf("ignored %d, want %d: %+v", len(d.Ignored()), len(tc.ignored), d.Ignored())
			}
			for i, want := range tc.ignored {
				if !strings.HasPrefix(d.Ignored()[i].Reason, want) || d.Ignored()[i].Err == nil {
					t.Errorf("ignored[%d] = %q, want %q…", i, d.Ignored()[i].Reason, want)
				}
			}
			if d.Outcome() == Pay {
				if d.Price().Amount != 3*12000 || d.Price().Currency != "EUR" || !d.Price().Placeholder {
					t.Errorf("price %+v", d.Price())
				}
				if d.PathToFree() == nil || d.PathToFree().Shortfall <= 0 || len(d.PathToFree().Counting) != 2 {
					t.Errorf("path to free %+v", d.PathToFree())
				}
			}
			if d.Clause() == "reciprocity" {
				if d.PathToFree() == nil || d.PathToFree().Shortfall != 0 || d.PathToFree().FreeUntil.IsZero() || !d.ValidUntil().Equal(d.PathToFree().FreeUntil) {
					t.Errorf("free through reciprocity: path %+v valid until %s", d.PathToFree(), d.ValidUntil())
				}
			}
		})
	}
}

func TestEvidenceFailureNeverChangesOutcome(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	good := [][]byte{memberOf(t, "acme", "alice"), contributed(t, "steward-alpha", "alpha", "alice", "code", 120, 2)}
	base, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: good})
	if err != nil {
		t.Fatal(err)
	}
	junk := [][]byte{[]byte(`{`), []byte(`{"payloadType":"x","payload":"","signatures":[]}`), contributed(t, "stranger", "alpha", "alice", "code", 9999, 1)}
	with, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: append(append([][]byte{}, good...), junk...)})
	if err != nil {
		t.Fatal(err)
	}
	if with.Outcome() != base.Outcome() || with.Reciprocity().Total != base.Reciprocity().Total || len(with.Ignored()) != 3 {
		t.Fatalf("junk changed the decision: %s %s, ignored %+v", with.Outcome(), with.Reciprocity().Total, with.Ignored())
	}
	for _, ig := range with.Ignored() {
		if !errors.Is(ig.Err, attest.ErrMalformed) && !errors.Is(ig.Err, attest.ErrUntrustedKey) {
			t.Errorf("unexpected reason %v", ig.Err)
		}
	}
}

func TestSelfDeclaredFacts(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl")
	claim := contribution.Entity{ID: "coop2", Kind: kindFact(contribution.KindWorkerCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)}
	d, err := e.Evaluate(&Request{Entity: claim, Use: Use{Commercial: true}, At: at})
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome() != Pay || len(d.Ignored()) == 0 || !strings.Contains(d.Ignored()[0].Reason, "self-declared") {
		t.Fatalf("self-declared worker ownership counted: %s\n%s", d.Outcome(), d.Explain())
	}
	// The PPL's terms require worker ownership attested: even an evaluator
	// that accepts self-declared facts does not count it.
	terms := e.Terms()
	lenient, _ := Compile(Config{Terms: terms, Commons: w.alpha, AcceptSelfDeclared: true})
	d2, _ := lenient.Evaluate(&Request{Entity: claim, Use: Use{Commercial: true}, At: at})
	if d2.Outcome() != Pay || !strings.Contains(d2.Explain(), "these terms require it attested") {
		t.Fatalf("self-declared worker ownership counted under terms requiring attestation:\n%s", d2.Explain())
	}
	// Terms that do not require it let the lenient evaluator count it, marked.
	relaxed := *terms
	relaxed.RequireAttested = nil
	lenient2, _ := Compile(Config{Terms: &relaxed, Commons: w.alpha, AcceptSelfDeclared: true})
	d3, _ := lenient2.Evaluate(&Request{Entity: claim, Use: Use{Commercial: true}, At: at})
	if d3.Outcome() != Free || len(d3.FactsUsed()) == 0 || !d3.FactsUsed()[0].SelfDeclared {
		t.Fatalf("accepted self-declared: %s %+v", d3.Outcome(), d3.FactsUsed())
	}
	// An attested worker cooperative is free under the strict terms.
	coop := registered(t, contribution.Entity{ID: "coop2", Kind: kindFact(contribution.KindWorkerCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)})
	d4, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "coop2"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{coop}})
	if d4.Outcome() != Free || d4.FactsUsed()[1].SelfDeclared || d4.FactsUsed()[1].By != id("registrar") {
		t.Fatalf("attested: %s %+v", d4.Outcome(), d4.FactsUsed())
	}
}

func TestOtherBuiltins(t *testing.T) {
	w := newWorld(t)
	small := contribution.Entity{ID: "startup", Kind: kindFact(contribution.KindForProfit)}
	tests := []struct {
		terms   string
		use     Use
		when    int // days after at
		outcome Outcome
		clause  string
	}{
		{"prosperity-3.0.0", Use{Commercial: true, FirstUse: at.AddDate(0, 0, -10)}, 0, Free, "commercial-trial"},
		{"prosperity-3.0.0", Use{Commercial: true, FirstUse: at.AddDate(0, 0, -31)}, 0, Pay, "private-license"},
		{"prosperity-3.0.0", Use{Commercial: false}, 0, Free, "noncommercial"},
		{"busl-1.1", Use{Commercial: true, Purpose: "production"}, 0, Pay, "commercial-license"},
		{"busl-1.1", Use{Commercial: true, Purpose: "production"}, 1500, Free, "change-date"},
		{"busl-1.1", Use{Commercial: true, Purpose: "testing"}, 0, Free, "non-production"},
		{"cc-by-nc-sa-4.0", Use{Commercial: true}, 0, Pay, "separate-license"},
		{"polyform-noncommercial-1.0.0", Use{Commercial: false}, 0, Free, "noncommercial-purposes"},
		{"polyform-small-business-1.0.0", Use{Commercial: true}, 0, Pay, "separate-license"},
		{"parity-7.0.0", Use{Commercial: true, Purpose: "prototype", FirstUse: at.AddDate(0, 0, -3)}, 0, Free, "prototype"},
		{"ppl", Use{Commercial: true}, 0, Pay, "private-license"},
	}
	for _, tc := range tests {
		e := w.evaluator(t, tc.terms)
		when := at.AddDate(0, 0, tc.when)
		d, err := e.Evaluate(&Request{Entity: small, Use: tc.use, At: when})
		if err != nil {
			t.Fatalf("%s: %v", tc.terms, err)
		}
		if d.Outcome() != tc.outcome || d.Clause() != tc.clause {
			t.Errorf("%s at +%dd: %s by %q, want %s by %q", tc.terms, tc.when, d.Outcome(), d.Clause(), tc.outcome, tc.clause)
		}
		if tc.clause == "commercial-trial" && !d.ValidUntil().Equal(tc.use.FirstUse.AddDate(0, 0, 30)) {
			t.Errorf("trial valid until %s", d.ValidUntil())
		}
		if tc.terms == "busl-1.1" && tc.when == 0 && d.ValidUntil().Format("2006-01-02") != "2030-01-01" {
			t.Errorf("BSL decision valid until %s, want the change date", d.ValidUntil())
		}
	}
}

func TestRequestErrors(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl")
	if _, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "x"}}); !errors.Is(err, ErrRequest) {
		t.Error("zero time accepted")
	}
	if _, err := e.Evaluate(&Request{At: at}); !errors.Is(err, ErrRequest) {
		t.Error("no entity accepted")
	}
	noTrust, _ := Compile(Config{Terms: e.Terms(), Commons: w.alpha})
	if _, err := noTrust.Evaluate(&Request{Entity: contribution.Entity{ID: "x"}, At: at, Evidence: [][]byte{[]byte("{}")}}); !errors.Is(err, ErrRequest) {
		t.Error("evidence without trust accepted")
	}
	if _, err := Compile(Config{Commons: w.alpha}); !errors.Is(err, ErrConfig) {
		t.Error("nil terms accepted")
	}
	// Terms built by hand, with an effect Parse would refuse.
	odd := *e.Terms()
	odd.Clauses = slices.Clone(odd.Clauses)
	odd.Clauses[1].Effect = "maybe"
	if _, err := Compile(Config{Terms: &odd, Commons: w.alpha}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "/clauses/1/effect") {
		t.Errorf("unknown effect: %v", err)
	}
}

// A caller reusing its Request for the next quote must not change an
// earlier decision's digest (a grant signed later would name the wrong
// request).
func TestDecisionKeepsItsRequest(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl")
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at}
	d, err := e.Evaluate(r)
	if err != nil {
		t.Fatal(err)
	}
	before := d.RequestDigest()
	r.Entity.ID, r.Use.Seats = "globex", 9
	if d.RequestDigest() != before || d.Entity() != "acme" {
		t.Fatal("decision changed with the caller's request")
	}
	d2, _ := e.Evaluate(r)
	if d2.RequestDigest() == before {
		t.Fatal("different requests share a digest")
	}
	// Every input that can change a decision is in the digest.
	r3 := *r
	r3.NoticeAt = at.AddDate(0, 0, -1)
	d3, _ := e.Evaluate(&r3)
	r4 := *r
	r4.Use.Released = at.AddDate(-1, 0, 0)
	d4, _ := e.Evaluate(&r4)
	r5 := *r
	r5.FirstUses = map[string]time.Time{"parent": at}
	d5, _ := e.Evaluate(&r5)
	digests := map[string]bool{d2.RequestDigest(): true}
	for _, d := range []*Decision{d3, d4, d5} {
		if digests[d.RequestDigest()] {
			t.Fatal("a decision input is missing from the request digest")
		}
		digests[d.RequestDigest()] = true
	}
}

func TestCureWindow(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "polyform-noncommercial-1.0.0")
	notice := at.AddDate(0, 0, -10)
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, NoticeAt: notice}
	d, err := e.Evaluate(r)
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome() != Pay || d.Cure() == nil || !d.Cure().Open || !d.Cure().Deadline.Equal(notice.AddDate(0, 0, 32)) || !d.ValidUntil().Equal(d.Cure().Deadline) {
		t.Fatalf("open window: %+v valid until %s", d.Cure(), d.ValidUntil())
	}
	r.At = notice.AddDate(0, 0, 40)
	d, _ = e.Evaluate(r)
	if d.Cure() == nil || d.Cure().Open || !strings.Contains(d.Explain(), "cure window closed") {
		t.Fatalf("closed window: %+v", d.Cure())
	}
	// The Peer Production License terminates automatically: no cure.
	ppl := w.evaluator(t, "ppl")
	d, _ = ppl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, NoticeAt: notice})
	if d.Cure() != nil {
		t.Fatalf("PPL gave a cure window: %+v", d.Cure())
	}
}

// Small Business: a revenue threshold in 2019 dollars, adjusted by the
// CPI-U series the caller supplies; the decision shows the adjusted figure.
func TestAdjustedThresholdInDecision(t *testing.T) {
	w := newWorld(t)
	terms, _ := license.Builtin("polyform-small-business-1.0.0")
	cpiU := license.IndexSeries{2019: 255657, 2020: 258811, 2021: 270970, 2022: 292655, 2023: 304702, 2024: 313689}
	e, _ := Compile(Config{Terms: terms, Commons: w.alpha, Trust: w.trust, Index: cpiU})
	facts := registered(t, contribution.Entity{ID: "smallco", Kind: kindFact(contribution.KindForProfit),
		Headcount: contribution.IntFact{Known: true, Value: 60}, AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 1_100_000_00, Currency: "USD"}}})
	// Self-declared, the investment fact does not count: these terms need it attested.
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "smallco"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{facts}, Facts: []string{"investment-below-usd-1m-5y"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome() != Pay {
		t.Fatalf("%s", d.Explain())
	}
	fst, _ := NewFactStatement(Fact{Entity: "smallco", Fact: "investment-below-usd-1m-5y"})
	invest := envelope(t, fst, "registrar")
	d, err = e.Evaluate(&Request{Entity: contribution.Entity{ID: "smallco"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{facts, invest}})
	if err != nil {
		t.Fatal(err)
	}
	// USD 1,100,000 is above 1,000,000 but below the 2019 threshold adjusted by CPI-U.
	if d.Outcome() != Free || d.Clause() != "small-business" {
		t.Fatalf("%s", d.Explain())
	}
	big := registered(t, contribution.Entity{ID: "smallco", Kind: kindFact(contribution.KindForProfit),
		Headcount: contribution.IntFact{Known: true, Value: 60}, AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 1_300_000_00, Currency: "USD"}}})
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "smallco"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{big, invest}})
	if d.Outcome() != Pay || !strings.Contains(d.Explain(), "1226991.63 USD (1000000.00 USD (2019 money) adjusted to 2024)") {
		t.Fatalf("%s", d.Explain())
	}
}

// PolyForm Small Business counts "your company": a 60-person subsidiary of
// a 500-person group is not small; a 60-person independent is.
func TestAffiliates(t *testing.T) {
	w := newWorld(t)
	terms, _ := license.Builtin("polyform-small-business-1.0.0")
	cpiU := license.IndexSeries{2019: 255657, 2024: 313689}
	e, _ := Compile(Config{Terms: terms, Commons: w.alpha, Trust: w.trust, Index: cpiU})
	firm := func(id string, heads, cents int64) []byte {
		return registered(t, contribution.Entity{ID: id, Kind: kindFact(contribution.KindForProfit),
			Headcount: contribution.IntFact{Known: true, Value: heads}, AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: cents, Currency: "USD"}}})
	}
	invest := func(id string) []byte {
		st, _ := NewFactStatement(Fact{Entity: id, Fact: "investment-below-usd-1m-5y"})
		return envelope(t, st, "registrar")
	}
	controls := func(parent, child string) []byte {
		st, err := NewControlStatement(Control{Controller: parent, Controlled: child, From: "2020-01-01T00:00:00Z"})
		if err != nil {
			t.Fatal(err)
		}
		return envelope(t, st, "registrar")
	}
	// Independent: 60 people, USD 500k.
	d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "indie"}, Use: Use{Commercial: true}, At: at,
		Evidence: [][]byte{firm("indie", 60, 500_000_00), invest("indie")}})
	if d.Outcome() != Free || len(d.Group()) != 1 {
		t.Fatalf("independent: %s", d.Explain())
	}
	// Subsidiary: 60 people, but its parent has 400 more and a sister 40.
	ev := [][]byte{firm("sub", 60, 500_000_00), invest("sub"), firm("parent", 400, 90_000_000_00), firm("sister", 40, 100_000_00),
		controls("parent", "sub"), controls("parent", "sister")}
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true}, At: at, Evidence: ev})
	if d.Outcome() != Pay || strings.Join(d.Group(), ",") != "parent,sister,sub" || !strings.Contains(d.Explain(), "headcount 500 ≥ 100") {
		t.Fatalf("subsidiary: %v\n%s", d.Group(), d.Explain())
	}
	// A group member whose figures are unknown leaves the group unknown.
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true}, At: at,
		Evidence: [][]byte{firm("sub", 60, 500_000_00), invest("sub"), controls("parent", "sub")}})
	if d.Outcome() != Pay || !strings.Contains(d.Explain(), "headcount unknown") {
		t.Fatalf("unknown affiliate: %s", d.Explain())
	}
	// A control relation that has ended no longer joins the group.
	st, _ := NewControlStatement(Control{Controller: "parent", Controlled: "sub", From: "2020-01-01T00:00:00Z", Until: "2025-01-01T00:00:00Z"})
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true}, At: at,
		Evidence: [][]byte{firm("sub", 60, 500_000_00), invest("sub"), firm("parent", 400, 90_000_000_00), envelope(t, st, "registrar")}})
	if d.Outcome() != Free || len(d.Ignored()) != 1 || !strings.HasPrefix(d.Ignored()[0].Reason, "expired") {
		t.Fatalf("ended control: %+v\n%s", d.Ignored(), d.Explain())
	}
}

// Graded outcome: under the Cooperative License a for-profit is neither
// charged nor refused; the decision carries the network copyleft it owes.
func TestGradedOutcome(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "cooperative-license-1.0")
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at})
	if err != nil {
		t.Fatal(err)
	}
	var copyleft bool
	for _, o := range d.Obligations() {
		copyleft = copyleft || o.Kind == license.NetworkCopyleft
	}
	if d.Outcome() != Free || d.Price().Amount != 0 || !copyleft || !strings.Contains(d.Explain(), "owes: network-copyleft") {
		t.Fatalf("%s", d.Explain())
	}
	coop := registered(t, contribution.Entity{ID: "coop", Kind: kindFact(contribution.KindWorkerCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)})
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "coop"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{coop}})
	for _, o := range d.Obligations() {
		if o.Kind == license.NetworkCopyleft {
			t.Fatalf("cooperative owes network copyleft: %s", d.Explain())
		}
	}
}

// One trial per company: a subsidiary whose parent began its trial 40 days
// ago has no trial left under PolyForm Free Trial.
func TestOneTrialPerCompany(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "polyform-free-trial-1.0.0")
	st, _ := NewControlStatement(Control{Controller: "parent", Controlled: "sub", From: "2020-01-01T00:00:00Z"})
	control := envelope(t, st, "registrar")
	r := &Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true, FirstUse: at.AddDate(0, 0, -2)}, At: at, Evidence: [][]byte{control}}
	d, _ := e.Evaluate(r)
	if d.Outcome() != Free || !d.ValidUntil().Equal(at.AddDate(0, 0, 30)) {
		t.Fatalf("own trial: %s", d.Explain())
	}
	r.FirstUses = map[string]time.Time{"parent": at.AddDate(0, 0, -40)}
	d, _ = e.Evaluate(r)
	if d.Outcome() != Pay || d.Clause() != "separate-license" || strings.Join(d.Group(), ",") != "parent,sub" {
		t.Fatalf("group trial: %s", d.Explain())
	}
}

// BSL: each version converts four years after its first release.
func TestBSLFourYearConversion(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "busl-1.1")
	released := at.AddDate(-3, 0, 0)
	d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Purpose: "production", Released: released}, At: at})
	if d.Outcome() != Pay || !d.ValidUntil().Equal(released.AddDate(4, 0, 0)) {
		t.Fatalf("before conversion: %s valid until %s", d.Outcome(), d.ValidUntil())
	}
	d, _ = e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Purpose: "production", Released: released}, At: released.AddDate(4, 0, 0)})
	if d.Outcome() != Free || d.Clause() != "four-years-after-release" {
		t.Fatalf("after conversion: %s", d.Explain())
	}
}

// Terms that count affiliates count the group's contributions: a parent
// whose subsidiary's engineers contribute is credited with them.
func TestGroupReciprocity(t *testing.T) {
	w := newWorld(t)
	terms, _ := license.Builtin("ppl-reciprocity")
	grouped := *terms
	grouped.CountAffiliates = true
	e, err := Compile(Config{Terms: &grouped, Commons: w.alpha, Peers: []contribution.Commons{w.beta}, Trust: w.trust})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := NewControlStatement(Control{Controller: "acme", Controlled: "peerco", From: "2020-01-01T00:00:00Z"})
	ev := [][]byte{envelope(t, st, "registrar"), memberOf(t, "peerco", "carol"), contributed(t, "steward-beta", "beta", "carol", "code", 260, 1)}
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: ev})
	if err != nil {
		t.Fatal(err)
	}
	if d.Outcome() != Free || d.Clause() != "reciprocity" || strings.Join(d.Group(), ",") != "acme,peerco" {
		t.Fatalf("%s", d.Explain())
	}
	// The affiliate's contribution is counted, with what it added.
	var points contribution.Points
	for _, c := range d.Counted() {
		points += c.Points
	}
	if points == 0 || points != d.Reciprocity().Total {
		t.Fatalf("group's counted contributions add %s, reciprocity %s", points, d.Reciprocity().Total)
	}
}

// TestEvaluateIntoReuse: one Decision reused across requests of every kind
// (evidence or not, pay, free, deny, cure windows, many facts) holds, each
// time, exactly what a new decision would; a request without evidence
// reuses it without allocating.
func TestEvaluateIntoReuse(t *testing.T) {
	w := newWorld(t)
	ppl := w.evaluator(t, "ppl-reciprocity")
	small := w.evaluator(t, "polyform-small-business-1.0.0")
	cnpl := w.evaluator(t, "cnpl-4")
	prohibited, err := NewFactStatement(Fact{Entity: "arms", Fact: "prohibited-use"})
	if err != nil {
		t.Fatal(err)
	}
	good := [][]byte{memberOf(t, "acme", "alice"), contributed(t, "steward-alpha", "alpha", "alice", "code", 120, 2), []byte(`{`)}
	coop := registered(t, contribution.Entity{ID: "coop", Kind: kindFact(contribution.KindCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)})
	requests := []struct {
		e *Evaluator
		r *Request
	}{
		{ppl, &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 3}, At: at, Evidence: good, NoticeAt: at.AddDate(0, 0, -3)}},
		{ppl, &Request{Entity: contribution.Entity{ID: "globex"}, Use: Use{Commercial: true}, At: at, Reciprocity: &contribution.Reciprocity{Total: 10}}},
		{ppl, &Request{Entity: contribution.Entity{ID: "coop"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{coop}, Facts: []string{"a", "b", "c", "d", "e"}}},
		{small, &Request{Entity: contribution.Entity{ID: "indie"}, Use: Use{Commercial: true}, At: at, NoticeAt: at.AddDate(0, 0, -40)}},
		{ppl, &Request{Entity: contribution.Entity{ID: "globex"}, Use: Use{Commercial: false}, At: at}},
		{cnpl, &Request{Entity: contribution.Entity{ID: "arms"}, Use: Use{Commercial: false}, At: at, Evidence: [][]byte{envelope(t, prohibited, "registrar")}}},
	}
	var reused Decision
	seen := map[string]bool{}
	for round := range 2 {
		for i, q := range requests {
			if err := q.e.EvaluateInto(&reused, q.r); err != nil {
				t.Fatal(err)
			}
			seen[string(reused.Outcome())] = true
			seen["cure"] = seen["cure"] || reused.Cure() != nil
			seen["ignored"] = seen["ignored"] || len(reused.Ignored()) > 0
			fresh, err := q.e.Evaluate(q.r)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := reused.MarshalJSON()
			want, _ := fresh.MarshalJSON()
			if !bytes.Equal(got, want) || reused.Explain() != fresh.Explain() {
				t.Fatalf("round %d, request %d: reused decision differs\nreused: %s\nfresh:  %s", round, i, got, want)
			}
		}
	}
	for _, want := range []string{string(Pay), string(Free), string(Deny), "cure", "ignored"} {
		if !seen[want] {
			t.Errorf("no request gave a decision with %s: the reuse test misses a case", want)
		}
	}
	r := requests[1].r
	if n := testing.AllocsPerRun(50, func() { _ = ppl.EvaluateInto(&reused, r) }); n != 0 {
		t.Errorf("EvaluateInto without evidence allocates %v times", n)
	}
}
