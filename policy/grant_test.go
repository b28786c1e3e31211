package policy

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

func TestGrantRoundTripAndTamper(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at})
	if err != nil || d.Outcome() != Pay {
		t.Fatal(d, err)
	}
	if _, err := SignGrant(d, key("marketplace"), "", time.Time{}); !errors.Is(err, ErrGrant) {
		t.Fatal("pay grant without payment reference accepted")
	}
	year := at.AddDate(1, 0, 0)
	env, err := SignGrant(d, key("marketplace"), "invoice-2026-0042", year)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := env.MarshalJSON()
	g, err := VerifyGrant(w.trust, data, at.AddDate(0, 6, 0))
	if err != nil {
		t.Fatal(err)
	}
	if g.Entity != "acme" || g.Commons != "alpha" || g.Outcome != Pay || g.Price.Amount != 24000 || g.TermsDigest != d.TermsDigest() ||
		g.RequestDigest != d.RequestDigest() || g.Payment != "invoice-2026-0042" || g.ValidUntil != year.Format(time.RFC3339) ||
		g.Use != (GrantUse{Commercial: true, Seats: 2}) {
		t.Fatalf("grant %+v", g)
	}
	// Expired, it is refused, and what it said is still given: who
	// granted what, under which terms (found among the built-ins by its
	// digest), for when.
	late, err := VerifyGrant(w.trust, data, year.AddDate(5, 0, 0))
	if !errors.Is(err, attest.ErrExpired) || late == nil || late.Payment != "invoice-2026-0042" || late.ValidUntil != year.Format(time.RFC3339) ||
		len(late.Signers) != 1 || late.Signers[0] != attest.KeyID(key("marketplace").Public().(ed25519.PublicKey)) {
		t.Fatalf("expired grant: %+v, %v", late, err)
	}
	if terms, ok, err := license.BuiltinByDigest(late.TermsDigest); err != nil || !ok || terms.ID != "ppl-reciprocity" {
		t.Fatalf("terms of the expired grant: %v %v %v", terms, ok, err)
	}
	// Read with the expiry in force again, it covers its use as before.
	if _, err := VerifyGrant(w.trust, data, at.AddDate(0, 1, 0)); err != nil {
		t.Fatal(err)
	}
	// Tampering with the payload (a lower price) breaks the signature.
	tampered, _ := attest.ParseEnvelope(data)
	tampered.Payload = []byte(string(tampered.Payload[:len(tampered.Payload)-1]) + " ")
	tj, _ := tampered.MarshalJSON()
	if _, err := VerifyGrant(w.trust, tj, at); !errors.Is(err, attest.ErrBadSignature) {
		t.Fatalf("tampered grant: %v", err)
	}
	// A key not trusted for grants cannot issue one.
	rogue, _ := SignGrant(d, key("steward-alpha"), "x", year)
	rj, _ := rogue.MarshalJSON()
	if _, err := VerifyGrant(w.trust, rj, at); !errors.Is(err, attest.ErrOutOfScope) {
		t.Fatalf("rogue grant: %v", err)
	}

	// Presented as evidence for the use it was issued for, the grant is
	// honoured until it expires.
	later := at.AddDate(0, 3, 0)
	d2, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: later, Evidence: [][]byte{data}})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Clause() != "grant" || d2.Grant() == nil || d2.Price().Amount != 24000 || !d2.ValidUntil().Equal(year) {
		t.Fatalf("grant not honoured: %s\n%s", d2.Clause(), d2.Explain())
	}
	// What a decision hands out cannot change what it decided.
	d2.Grant().Price.Amount = 1
	if d2.Price().Amount != 24000 {
		t.Fatal("changing the returned grant changed the decision's price")
	}
	// A deny decision cannot be granted.
	cnpl := w.evaluator(t, "cnpl-4")
	prohibited, err := NewFactStatement(Fact{Entity: "acme", Fact: "prohibited-use"})
	if err != nil {
		t.Fatal(err)
	}
	dd, _ := cnpl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{envelope(t, prohibited, "registrar")}})
	if dd.Outcome() != Deny {
		t.Fatalf("no deny decision to try: %s", dd.Explain())
	}
	if _, err := SignGrant(dd, key("marketplace"), "x", year); !errors.Is(err, ErrGrant) {
		t.Fatal("deny granted")
	}
}

// grantWorld trusts the marketplace for grants (v2, and v1 so that old
// grants reach the policy's own refusal) about any commons.
func grantWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	tr, err := attest.NewTrust(attest.Rule{Key: pub("marketplace"), PredicateTypes: []string{GrantPredicateType, grantV1PredicateType},
		Subjects: []string{"commons:*", "entity:*"}})
	if err != nil {
		t.Fatal(err)
	}
	w.trust = tr
	return w
}

// grantFrom decides use for acme at at with e and signs the decision as a
// grant valid for a year.
func grantFrom(t *testing.T, e *Evaluator, use Use) []byte {
	t.Helper()
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: use, At: at})
	if err != nil {
		t.Fatal(err)
	}
	env, err := SignGrant(d, key("marketplace"), "invoice-1", at.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := env.MarshalJSON()
	return b
}

// TestGrantCoversOnlyItsUse presents grants to requests that ask for more
// than was granted, each in one way, and to requests the grant covers.
func TestGrantCoversOnlyItsUse(t *testing.T) {
	w := grantWorld(t)
	ppl := w.evaluator(t, "ppl-reciprocity")
	bsl := w.evaluator(t, "bsl-1.1")
	pros := w.evaluator(t, "prosperity-3.0.0")
	beta, err := Compile(Config{Terms: ppl.terms, Commons: w.beta, Trust: w.trust})
	if err != nil {
		t.Fatal(err)
	}
	commercial5 := Use{Commercial: true, Purpose: "production", Seats: 5}
	old := at.AddDate(-5, 0, 0) // a version BSL has converted
	var (
		pay5      = grantFrom(t, ppl, commercial5)                                 // pay, 5 seats, commercial production
		freeNC    = grantFrom(t, ppl, Use{Seats: 1})                               // free: non-commercial
		prototype = grantFrom(t, bsl, Use{Commercial: true, Purpose: "prototype"}) // free: non-production
		converted = grantFrom(t, bsl, Use{Commercial: true, Purpose: "production", Released: old})
		otherTerm = grantFrom(t, pros, Use{})
		otherComm = grantFrom(t, beta, commercial5)
	)
	later := at.AddDate(0, 3, 0)
	acme := contribution.Entity{ID: "acme"}
	for _, c := range []struct {
		name  string
		e     *Evaluator
		grant []byte
		who   contribution.Entity
		use   Use
		at    time.Time
		field string // what the request exceeds
		err   error  // or the refusal verification gives, for the period
	}{
		{"more seats", ppl, pay5, acme, Use{Commercial: true, Purpose: "production", Seats: 6}, later, "seats", nil},
		{"1000 seats", ppl, pay5, acme, Use{Commercial: true, Purpose: "production", Seats: 1000}, later, "seats", nil},
		{"commercial use of a non-commercial grant", ppl, freeNC, acme, Use{Commercial: true, Seats: 1000}, later, "commercial", nil},
		{"non-commercial use of a commercial grant", ppl, pay5, acme, Use{Purpose: "production", Seats: 5}, later, "commercial", nil},
		{"other purpose", ppl, pay5, acme, Use{Commercial: true, Purpose: "hosting", Seats: 5}, later, "purpose", nil},
		{"production use of a prototype grant", bsl, prototype, acme, Use{Commercial: true, Purpose: "production"}, later, "purpose", nil},
		{"newer version than granted", bsl, converted, acme, Use{Commercial: true, Purpose: "production", Released: at}, later, "released", nil},
		{"version not given", bsl, converted, acme, Use{Commercial: true, Purpose: "production"}, later, "released", nil},
		{"before the period", ppl, pay5, acme, commercial5, at.Add(-time.Second), "", attest.ErrNotYetValid},
		{"after the period", ppl, pay5, acme, commercial5, at.AddDate(1, 0, 0), "", attest.ErrExpired},
		{"other entity", ppl, pay5, contribution.Entity{ID: "other"}, commercial5, later, "entity", nil},
		{"other commons", ppl, otherComm, acme, commercial5, later, "commons", nil},
		{"other terms", ppl, otherTerm, acme, Use{}, later, "terms", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := c.e.Evaluate(&Request{Entity: c.who, Use: c.use, At: c.at, Evidence: [][]byte{c.grant}})
			if err != nil {
				t.Fatal(err)
			}
			if d.Clause() == "grant" || d.Grant() != nil {
				t.Fatalf("grant honoured for a use it does not cover:\n%s", d.Explain())
			}
			if len(d.Ignored()) != 1 {
				t.Fatalf("ignored %+v", d.Ignored())
			}
			// Refused, the grant changes nothing else.
			without, _ := c.e.Evaluate(&Request{Entity: c.who, Use: c.use, At: c.at})
			if d.Outcome() != without.Outcome() || d.Price() != without.Price() || !d.ValidUntil().Equal(without.ValidUntil()) {
				t.Fatalf("refused grant changed the decision:\n%s\nwithout it:\n%s", d.Explain(), without.Explain())
			}
			ig := d.Ignored()[0]
			if c.err != nil {
				if !errors.Is(ig.Err, c.err) {
					t.Fatalf("refusal %v, want %v", ig.Err, c.err)
				}
				return
			}
			var ge *GrantError
			if !errors.As(ig.Err, &ge) || ge.Field != c.field || !errors.Is(ig.Err, ErrNotCovered) || !errors.Is(ig.Err, ErrGrant) {
				t.Fatalf("refusal %v, want one naming %s", ig.Err, c.field)
			}
			if !strings.Contains(ig.Reason, c.field) || ig.Statement == "" || ig.KeyID != id("marketplace") || !strings.HasPrefix(ig.Envelope, "sha256:") {
				t.Fatalf("ignored %+v", ig)
			}
		})
	}

	// Covered: the same use, or fewer seats, inside the period; the price
	// is the grant's, not the terms' price for the request.
	priced, _ := ppl.Evaluate(&Request{Entity: acme, Use: commercial5, At: at})
	one, _ := ppl.Evaluate(&Request{Entity: acme, Use: Use{Commercial: true, Purpose: "production", Seats: 1}, At: later})
	if priced.Price().Amount == one.Price().Amount {
		t.Fatal("the test needs prices that differ by seats")
	}
	for _, c := range []struct {
		name  string
		e     *Evaluator
		grant []byte
		use   Use
		at    time.Time
		want  Outcome
	}{
		{"same use", ppl, pay5, commercial5, later, Pay},
		{"fewer seats", ppl, pay5, Use{Commercial: true, Purpose: "production", Seats: 1}, later, Pay},
		{"no seats counts as one", ppl, pay5, Use{Commercial: true, Purpose: "production"}, later, Pay},
		{"from its first instant", ppl, pay5, commercial5, at, Pay},
		{"to its last", ppl, pay5, commercial5, at.AddDate(1, 0, 0).Add(-time.Nanosecond), Pay},
		{"non-commercial, same use", ppl, freeNC, Use{}, later, Free},
		{"prototype, same use", bsl, prototype, Use{Commercial: true, Purpose: "prototype"}, later, Free},
		{"converted version, same version", bsl, converted, Use{Commercial: true, Purpose: "production", Released: old}, later, Free},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := c.e.Evaluate(&Request{Entity: acme, Use: c.use, At: c.at, Evidence: [][]byte{c.grant}})
			if err != nil {
				t.Fatal(err)
			}
			if d.Clause() != "grant" || d.Outcome() != c.want || len(d.Ignored()) != 0 {
				t.Fatalf("grant not honoured for a use it covers:\n%s", d.Explain())
			}
			if c.want == Pay && d.Price() != (Price{Amount: priced.Price().Amount, Currency: priced.Price().Currency, Period: priced.Price().Period}) {
				t.Fatalf("price under the grant %+v, want the grant's %+v", d.Price(), priced.Price())
			}
		})
	}
}

// TestGrantJudgedPerRequest: the evaluator remembers what a set of
// envelopes established and reuses it for the next request with the same
// evidence, whatever its use; a grant honoured for the use it covers must
// still be refused for a larger use with the same envelope, in either
// order.
func TestGrantJudgedPerRequest(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	g := grantFrom(t, e, Use{Commercial: true, Seats: 2})
	later := at.AddDate(0, 1, 0)
	small := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: later, Evidence: [][]byte{g}}
	big := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 1000}, At: later, Evidence: [][]byte{g}}
	for i, r := range []*Request{small, big, small, big} {
		d, err := e.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		if covered := r == small; (d.Clause() == "grant") != covered || (len(d.Ignored()) == 0) != covered {
			t.Fatalf("request %d (%d seats): clause %s, ignored %+v", i, r.Use.Seats, d.Clause(), d.Ignored())
		}
	}
}

// TestGrantJudgedConcurrently: requests of both sizes with one envelope,
// at once, on one evaluator, each get their own answer.
func TestGrantJudgedConcurrently(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	g := grantFrom(t, e, Use{Commercial: true, Seats: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seats := int64(2 + (i%2)*998)
			d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: seats}, At: at.AddDate(0, 1, 0), Evidence: [][]byte{g}})
			if err == nil && (d.Clause() == "grant") != (seats == 2) {
				err = fmt.Errorf("%d seats: clause %s", seats, d.Clause())
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkEvaluateUnderGrant: a quote decided by a grant, its evidence
// set remembered, so what is measured is judging and applying the grant.
func BenchmarkEvaluateUnderGrant(b *testing.B) {
	w := newWorld(b)
	e := w.evaluator(b, "ppl-reciprocity")
	d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at})
	env, err := SignGrant(d, key("marketplace"), "inv", at.AddDate(1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	g, _ := env.MarshalJSON()
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at.AddDate(0, 1, 0), Evidence: [][]byte{g}}
	var out Decision
	b.ReportAllocs()
	for b.Loop() {
		if err := e.EvaluateInto(&out, r); err != nil || out.Clause() != "grant" {
			b.Fatal(err, out.Clause())
		}
	}
}

// TestGrantOfSeveral: of several grants, one that covers the request
// decides, whatever the order they come in; the others are listed.
func TestGrantOfSeveral(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	two := grantFrom(t, e, Use{Commercial: true, Seats: 2})
	ten := grantFrom(t, e, Use{Commercial: true, Seats: 10})
	for _, ev := range [][][]byte{{two, ten}, {ten, two}} {
		d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 5}, At: at, Evidence: ev})
		if err != nil {
			t.Fatal(err)
		}
		if d.Grant() == nil || d.Grant().Use.Seats != 10 || len(d.Ignored()) != 1 || !errors.Is(d.Ignored()[0].Err, ErrNotCovered) {
			t.Fatalf("clause %s, ignored %+v", d.Clause(), d.Ignored())
		}
	}
}

// TestGrantPeriodWithoutVerification: the period is the grant's own rule,
// not only the envelope's window, so a grant held since it was verified
// does not cover a request outside it.
func TestGrantPeriodWithoutVerification(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	use := Use{Commercial: true, Seats: 2}
	g, err := VerifyGrant(w.trust, grantFrom(t, e, use), at)
	if err != nil {
		t.Fatal(err)
	}
	for _, when := range []time.Time{at.Add(-time.Nanosecond), at.AddDate(1, 0, 0)} {
		err := e.grantApplies(g, &Request{Entity: contribution.Entity{ID: "acme"}, Use: use, At: when})
		var ge *GrantError
		if !errors.As(err, &ge) || ge.Field != "period" {
			t.Fatalf("at %s: %v", when, err)
		}
	}
	if err := e.grantApplies(g, &Request{Entity: contribution.Entity{ID: "acme"}, Use: use, At: at}); err != nil {
		t.Fatal(err)
	}
}

// TestGrantV1CoversNothing: a grant from before grants recorded their use
// is refused as covering none, even from a key trusted for v1 grants.
func TestGrantV1CoversNothing(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Seats: 1}, At: at})
	// The v1 predicate: what SignGrant wrote before it recorded the use.
	v1 := map[string]any{"commons": "alpha", "entity": "acme", "termsDigest": e.TermsDigest(), "requestDigest": d.RequestDigest(),
		"outcome": "free", "clause": d.Clause(), "issuedAt": at.Format(time.RFC3339), "validFrom": at.Format(time.RFC3339)}
	st, err := attest.NewStatement(grantV1PredicateType, v1, attest.SubjectFor("commons:alpha"), attest.SubjectFor("entity:acme"))
	if err != nil {
		t.Fatal(err)
	}
	env := envelope(t, st, "marketplace")
	got, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 1000}, At: at.AddDate(0, 1, 0), Evidence: [][]byte{env}})
	if err != nil {
		t.Fatal(err)
	}
	var ge *GrantError
	if got.Clause() == "grant" || len(got.Ignored()) != 1 || !errors.As(got.Ignored()[0].Err, &ge) || ge.Field != "use" {
		t.Fatalf("v1 grant: clause %s, ignored %+v", got.Clause(), got.Ignored())
	}
	if _, err := VerifyGrant(w.trust, env, at); !errors.As(err, &ge) || ge.Field != "use" || !errors.Is(err, ErrNotCovered) {
		t.Fatalf("VerifyGrant of a v1 grant: %v", err)
	}
}

// TestSignGrantNeedsADecision: nothing an Evaluator did not decide is
// signed, and missing arguments are errors, not panics.
func TestSignGrantNeedsADecision(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, At: at})
	for name, sign := range map[string]func() error{
		"nil decision":   func() error { _, err := SignGrant(nil, key("marketplace"), "x", time.Time{}); return err },
		"zero decision":  func() error { _, err := SignGrant(&Decision{}, key("marketplace"), "x", time.Time{}); return err },
		"nil signer":     func() error { _, err := SignGrant(d, nil, "x", time.Time{}); return err },
		"ends too early": func() error { _, err := SignGrant(d, key("marketplace"), "x", at.Add(-time.Hour)); return err },
		// RFC 3339 seconds would make it end where it starts.
		"ends in its first second": func() error {
			_, err := SignGrant(d, key("marketplace"), "x", at.Add(500*time.Millisecond))
			return err
		},
		"nil trust": func() error { _, err := VerifyGrant(nil, []byte("{}"), at); return err },
	} {
		if err := sign(); !errors.Is(err, ErrGrant) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestVerifyGrantStrict: a grant that leaves out its use, or any part of
// it, or carries a malformed member, is refused naming the member; a
// missing member never reads as "any".
func TestVerifyGrantStrict(t *testing.T) {
	w := grantWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	good := Grant{Commons: "alpha", Entity: "acme", TermsDigest: e.TermsDigest(), RequestDigest: "sha256:" + strings.Repeat("ab", 32),
		Use: GrantUse{Commercial: true, Purpose: "production", Seats: 3}, Outcome: Pay, Clause: "private-license",
		Price: &GrantCost{Amount: 100, Currency: "EUR", Period: "year"}, Payment: "inv-9",
		IssuedAt: at.Format(time.RFC3339), ValidFrom: at.Format(time.RFC3339)}
	sign := func(edit func(p map[string]any)) []byte {
		b, err := json.Marshal(good)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		edit(p)
		st, err := attest.NewStatement(GrantPredicateType, p, attest.SubjectFor("commons:alpha"), attest.SubjectFor("entity:acme"))
		if err != nil {
			t.Fatal(err)
		}
		return envelope(t, st, "marketplace")
	}
	use := func(p map[string]any) map[string]any { return p["use"].(map[string]any) }
	if g, err := VerifyGrant(w.trust, sign(func(map[string]any) {}), at); err != nil || g.Use != good.Use {
		t.Fatalf("good grant: %v %+v", err, g)
	}
	if d, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: good.useRequest(), At: at, Evidence: [][]byte{sign(func(map[string]any) {})}}); d.Clause() != "grant" {
		t.Fatalf("good grant not honoured:\n%s", d.Explain())
	}
	for _, c := range []struct {
		name, pointer string
		edit          func(p map[string]any)
	}{
		{"no use", "/predicate/use", func(p map[string]any) { delete(p, "use") }},
		{"null use", "/predicate/use", func(p map[string]any) { p["use"] = nil }},
		{"no commercial", "/predicate/use/commercial", func(p map[string]any) { delete(use(p), "commercial") }},
		{"no purpose", "/predicate/use/purpose", func(p map[string]any) { delete(use(p), "purpose") }},
		{"no seats", "/predicate/use/seats", func(p map[string]any) { delete(use(p), "seats") }},
		{"zero seats", "/predicate/use/seats", func(p map[string]any) { use(p)["seats"] = 0 }},
		{"negative seats", "/predicate/use/seats", func(p map[string]any) { use(p)["seats"] = -4 }},
		{"fractional seats", "/predicate/use/seats", func(p map[string]any) { use(p)["seats"] = 1.5 }},
		{"seats as text", "/predicate/use/seats", func(p map[string]any) { use(p)["seats"] = "3" }},
		{"unknown use member", "/predicate/use/region", func(p map[string]any) { use(p)["region"] = "EU" }},
		{"bad released", "/predicate/use/released", func(p map[string]any) { use(p)["released"] = "last year" }},
		{"no request digest", "/predicate/requestDigest", func(p map[string]any) { delete(p, "requestDigest") }},
		{"bad request digest", "/predicate/requestDigest", func(p map[string]any) { p["requestDigest"] = "sha256:ABC" }},
		{"free with a price", "/predicate/price", func(p map[string]any) { p["outcome"] = "free" }},
		{"pay without payment", "/predicate/payment", func(p map[string]any) { delete(p, "payment") }},
		{"no terms", "/predicate/termsDigest", func(p map[string]any) { p["termsDigest"] = "" }},
		{"negative price", "/predicate/price/amount", func(p map[string]any) { p["price"].(map[string]any)["amount"] = -1 }},
		{"no currency", "/predicate/price/currency", func(p map[string]any) { p["price"].(map[string]any)["currency"] = "" }},
		{"unknown period", "/predicate/price/period", func(p map[string]any) { p["price"].(map[string]any)["period"] = "decade" }},
		{"no validFrom", "/predicate/validFrom", func(p map[string]any) { delete(p, "validFrom") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := sign(c.edit)
			_, err := VerifyGrant(w.trust, env, at)
			var ge *GrantError
			if !errors.As(err, &ge) || ge.Pointer != c.pointer || ge.Statement == "" || errors.Is(err, ErrNotCovered) || !strings.Contains(err.Error(), c.pointer) {
				t.Fatalf("got %v, want a refusal at %s", err, c.pointer)
			}
			// As evidence it is ignored, with the same refusal.
			d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: good.useRequest(), At: at, Evidence: [][]byte{env}})
			if err != nil {
				t.Fatal(err)
			}
			if d.Clause() == "grant" || len(d.Ignored()) != 1 || !errors.As(d.Ignored()[0].Err, &ge) || ge.Pointer != c.pointer {
				t.Fatalf("clause %s, ignored %+v", d.Clause(), d.Ignored())
			}
		})
	}
}

// useRequest is the use g covers exactly.
func (g Grant) useRequest() Use {
	return Use{Commercial: g.Use.Commercial, Purpose: g.Use.Purpose, Seats: g.Use.Seats}
}
