package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
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
		g.RequestDigest != d.RequestDigest() || g.Payment != "invoice-2026-0042" || g.ValidUntil != year.Format(time.RFC3339) {
		t.Fatalf("grant %+v", g)
	}
	if _, err := VerifyGrant(w.trust, data, year); !errors.Is(err, attest.ErrExpired) {
		t.Fatalf("expired grant: %v", err)
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

	// Presented as evidence, the grant is honoured until it expires.
	later := at.AddDate(0, 3, 0)
	d2, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 50}, At: later, Evidence: [][]byte{data}})
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
	// For another entity it does not apply.
	d3, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "other"}, Use: Use{Commercial: true}, At: later, Evidence: [][]byte{data}})
	if d3.Clause() == "grant" || len(d3.Ignored()) != 1 || !errors.Is(d3.Ignored()[0].Err, ErrGrant) {
		t.Fatalf("grant for acme applied to other: %+v", d3.Ignored())
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
