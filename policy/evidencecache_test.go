package policy

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// TestEvidenceCacheAgreesWithFresh evaluates the same evidence at many
// instants, in an order that goes back and forth across statement
// expiries, key trust ends, contribution dates and the point where the
// entity's reciprocity decays below the threshold, and requires the
// decision of an evaluator that keeps its evidence sets to be byte for
// byte the decision of a new evaluator. A revocation (a new Trust
// generation) must be seen at once.
func TestEvidenceCacheAgreesWithFresh(t *testing.T) {
	w := newWorld(t)
	pred := map[string]any{"entity": "acme", "asOf": "2026-01-01T00:00:00Z", "kind": "for-profit", "headcount": 40,
		"validUntil": at.AddDate(0, 2, 0).Format(time.RFC3339)}
	st, err := attest.NewStatement(contribution.EntityPredicateType, pred, attest.SubjectFor("entity:acme"))
	if err != nil {
		t.Fatal(err)
	}
	evidence := [][]byte{
		memberOf(t, "acme", "alice"),
		envelope(t, st, "registrar"),
		contributed(t, "steward-old", "alpha", "alice", "code", 500, 900), // key trust ended in 2025
		[]byte(`{"payloadType":"x"}`),
	}
	for i := range 30 {
		evidence = append(evidence, contributed(t, "steward-alpha", "alpha", "alice", "code", int64(3+i%7), 10*i-20)) // two in the future of at
		if i%5 == 0 {
			evidence = append(evidence, contributed(t, "steward-beta", "beta", "alice", "docs", 4, 3*i))
		}
	}
	cached := w.evaluator(t, "ppl-reciprocity")
	instants := []time.Time{at, at.Add(time.Hour), at.AddDate(0, 0, -30), at.AddDate(0, 1, 0), at.AddDate(0, 3, 0), at.Add(time.Minute),
		at.AddDate(0, 2, 0), at.AddDate(0, 2, 0).Add(-1), at.AddDate(1, 0, 0), at.AddDate(0, 6, 0), at.AddDate(0, 0, 15), at.AddDate(0, 0, 15)}
	check := func(when string) {
		t.Helper()
		for _, i := range instants {
			r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 3}, At: i, Evidence: evidence}
			got, err := cached.Evaluate(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.evaluator(t, "ppl-reciprocity").Evaluate(r)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := got.MarshalJSON()
			wj, _ := want.MarshalJSON()
			if !bytes.Equal(gj, wj) {
				t.Fatalf("%s, at %s: cached decision differs\ncached: %s\nfresh:  %s", when, i, gj, wj)
			}
		}
	}
	check("first pass")
	check("second pass, from the cache")
	if cached.sets.Len() == 0 {
		t.Fatal("nothing was cached: the comparison tests nothing")
	}
	// The cache is really used: a request at an instant the set holds for
	// finds the set already there and leaves it in place.
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence}
	key := cached.evidenceKey(r, w.trust.Generation(), false)
	if _, err := cached.Evaluate(r); err != nil {
		t.Fatal(err)
	}
	held, ok := cached.sets.Get(key)
	if _, err := cached.Evaluate(r); err != nil {
		t.Fatal(err)
	}
	if again, _ := cached.sets.Get(key); !ok || again != held {
		t.Fatal("a request inside the set's span did not reuse it")
	}
	// A decision's parts are its own: changing them leaves the next alone.
	d1, _ := cached.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence})
	before, _ := d1.MarshalJSON()
	d1.Reciprocity().ByCommons[0].Points = 1
	d1.Reciprocity().ByStatement[0].Key = "tampered"
	d2, _ := cached.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence})
	if after, _ := d2.MarshalJSON(); !bytes.Equal(before, after) {
		t.Fatal("changing a decision changed the next one")
	}
	// Revoking the registrar's entity statement is a new Trust generation.
	rst, _ := attest.NewRevocationStatement(attest.Revocation{Statement: attest.Digest(mustPayload(t, st))})
	if _, err := w.trust.Revoke(envelope(t, rst, "registrar"), at); err != nil {
		t.Fatal(err)
	}
	check("after a revocation")
}

func mustPayload(t *testing.T, st attest.Statement) []byte {
	t.Helper()
	p, err := st.Payload()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEvidenceCacheControls: control statements change standing at their
// start and end; the cached group agrees with a fresh evaluator's on both
// sides of each.
func TestEvidenceCacheControls(t *testing.T) {
	w := newWorld(t)
	firm := func(id string, heads int64) []byte {
		return registered(t, contribution.Entity{ID: id, Kind: kindFact(contribution.KindForProfit),
			Headcount: contribution.IntFact{Known: true, Value: heads}, AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 100_00, Currency: "USD"}}})
	}
	from, until := at.AddDate(0, -1, 0), at.AddDate(0, 1, 0)
	st, err := NewControlStatement(Control{Controller: "parent", Controlled: "sub", From: from.Format(time.RFC3339), Until: until.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	fact, _ := NewFactStatement(Fact{Entity: "sub", Fact: "investment-below-usd-1m-5y"})
	evidence := [][]byte{firm("sub", 60), firm("parent", 400), envelope(t, st, "registrar"), envelope(t, fact, "registrar")}
	compile := func() *Evaluator {
		terms, _ := license.Builtin("polyform-small-business-1.0.0")
		e, err := Compile(Config{Terms: terms, Commons: w.alpha, Trust: w.trust})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	cached := compile()
	groups := map[int]bool{}
	for _, i := range []time.Time{at, from.Add(-1), from, until.Add(-1), until, at, from.AddDate(-1, 0, 0), until.AddDate(1, 0, 0), at} {
		r := &Request{Entity: contribution.Entity{ID: "sub"}, Use: Use{Commercial: true}, At: i, Evidence: evidence}
		got, err := cached.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := compile().Evaluate(r)
		gj, _ := got.MarshalJSON()
		wj, _ := want.MarshalJSON()
		if !bytes.Equal(gj, wj) {
			t.Fatalf("at %s: cached decision differs\ncached: %s\nfresh:  %s", i, gj, wj)
		}
		groups[len(got.Group())] = true
	}
	if !groups[1] || !groups[2] {
		t.Fatalf("the control never changed the group (%v): the test tests nothing", groups)
	}
}

// TestEvidenceSetMatches: a set answers only for the same envelopes, in
// the same order, about the same entity, with the same ledger choice and
// Trust generation (a hash collision must not serve another's evidence).
func TestEvidenceSetMatches(t *testing.T) {
	ev := [][]byte{[]byte("one"), []byte("two")}
	s := &evidenceSet{raw: [][]byte{[]byte("one"), []byte("two")}, entity: "acme", key: "k", gen: 3}
	r := func(e string, ev ...[]byte) *Request {
		return &Request{Entity: contribution.Entity{ID: e, Key: "k"}, Evidence: ev}
	}
	if !s.matches(r("acme", ev...), 3, false) {
		t.Fatal("the same request does not match")
	}
	for name, ok := range map[string]bool{
		"other entity":     s.matches(r("globex", ev...), 3, false),
		"other generation": s.matches(r("acme", ev...), 4, false),
		"ledger supplied":  s.matches(r("acme", ev...), 3, true),
		"other order":      s.matches(r("acme", ev[1], ev[0]), 3, false),
		"one byte off":     s.matches(r("acme", ev[0], []byte("twO")), 3, false),
		"fewer":            s.matches(r("acme", ev[0]), 3, false),
	} {
		if ok {
			t.Errorf("%s matches", name)
		}
	}
}

// TestCountedRemembered: decisions at one instant on the same evidence
// share the counted list remembered with the reciprocity answer, unless a
// decision used an entity statement, which is then counted in its own.
func TestCountedRemembered(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	plain := [][]byte{memberOf(t, "acme", "alice"), contributed(t, "steward-alpha", "alpha", "alice", "code", 40, 2)}
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: plain}
	d1, _ := e.Evaluate(r)
	d2, _ := e.Evaluate(r)
	if len(d1.Counted()) != 2 || &d1.Counted()[0] != &d2.Counted()[0] {
		t.Fatalf("counted lists not shared: %v", d1.Counted())
	}
	later := *r
	later.At = at.Add(time.Hour)
	if d3, _ := e.Evaluate(&later); &d3.Counted()[0] == &d1.Counted()[0] {
		t.Fatal("another instant's decision shares the list")
	}
	withEntity := append(slices.Clip(plain), registered(t, contribution.Entity{ID: "acme", Kind: kindFact(contribution.KindForProfit)}))
	r.Evidence = withEntity
	d4, _ := e.Evaluate(r)
	d5, _ := e.Evaluate(r)
	if len(d4.Counted()) != 3 || &d4.Counted()[0] == &d5.Counted()[0] {
		t.Fatalf("a decision that used an entity statement must count it in its own list: %v", d4.Counted())
	}
}
