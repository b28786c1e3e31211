package policy

import (
	"bytes"
	"testing"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestDecodeCacheSignatures: a membership counts only in an envelope the
// member co-signed, and a contribution only with a steward among its
// signers, whatever envelopes of the same statement the evaluator saw
// before. The decoding cache once answered by statement digest, so the
// entity-only envelope of a membership counted after the co-signed one had
// been seen (and the co-signed one was refused after the entity-only one).
func TestDecodeCacheSignatures(t *testing.T) {
	w := newWorld(t)
	st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", Role: "developer", From: at.AddDate(-1, 0, 0)}, pub("alice"))
	if err != nil {
		t.Fatal(err)
	}
	both := envelope(t, st, "entity-acme", "alice")
	entityOnly := envelope(t, st, "entity-acme")
	work := contributed(t, "steward-alpha", "alpha", "alice", "code", 120, 2)
	req := func(membership []byte) *Request {
		return &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{membership, work}}
	}
	for _, order := range [][][]byte{{both, entityOnly}, {entityOnly, both}} {
		warmed := w.evaluator(t, "ppl-reciprocity")
		for _, m := range order {
			got, err := warmed.Evaluate(req(m))
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.evaluator(t, "ppl-reciprocity").Evaluate(req(m))
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := got.MarshalJSON()
			wj, _ := want.MarshalJSON()
			if !bytes.Equal(gj, wj) {
				t.Fatalf("co-signed=%v after another envelope of the same statement: decided differently from a fresh evaluator\nwarmed: %s\nfresh:  %s",
					bytes.Equal(m, both), got.Explain(), want.Explain())
			}
		}
	}

	// A contribution statement signed by a key the Trust scopes for
	// commons:alpha that is not one of alpha's stewards, then by a steward.
	tr, err := attest.NewTrust(
		attest.Rule{Key: pub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: pub("scoped"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: pub("entity-acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	w.trust = tr
	cst, err := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: id("alice"), Entity: "acme",
		Kind: "code", Quantity: 120_000, Unit: "points", At: at.AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	bySteward, byOther := envelope(t, cst, "steward-alpha"), envelope(t, cst, "scoped")
	for _, order := range [][][]byte{{bySteward, byOther}, {byOther, bySteward}} {
		warmed := w.evaluator(t, "ppl-reciprocity")
		for _, c := range order {
			r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{both, c}}
			got, err := warmed.Evaluate(r)
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
				t.Fatalf("steward-signed=%v after another envelope of the same contribution: decided differently\nwarmed: %s\nfresh:  %s",
					bytes.Equal(c, bySteward), got.Explain(), want.Explain())
			}
		}
	}
}
