package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// fuzzSigners are the keys a fuzzed statement may be signed with: each is
// trusted for some predicates and subjects in the test world, and the last
// for none.
// A set is followed by the one presented before it (see
// FuzzEvaluateEvidence): the entity's key alone by the entity with its
// member, so a membership is seen co-signed before it is decided without
// the member's signature.
var fuzzSigners = [][]string{{"registrar"}, {"steward-alpha"}, {"marketplace"}, {"entity-acme"}, {"entity-acme", "alice"}, {"steward-beta"}, {"stranger"}}

var fuzzTerms = []string{"ppl-reciprocity", "polyform-small-business-1.0.0", "prosperity-3.0.0"}

// FuzzEvaluateEvidence signs statements with arbitrary predicate types,
// subjects and predicate bytes (or takes arbitrary bytes as an envelope)
// and presents them beside good evidence. Whatever they hold, evaluation
// must not fail or panic; the decision must render the same bytes every
// time, fresh or into a reused Decision, and the same as a new evaluator
// over a new Trust decides it, though the fuzzing evaluator has seen every
// earlier input and, just before, the same statement under other
// signatures (issue 14, item 7); and evidence the decision ignores must
// leave the outcome, price, clause and validity of the decision made
// without it. MarshalJSON must write what the reference encoding writes.
func FuzzEvaluateEvidence(f *testing.F) {
	w := newWorld(f)
	evals := make([]*Evaluator, len(fuzzTerms))
	for i, id := range fuzzTerms {
		evals[i] = w.evaluator(f, id)
	}
	good := [][]byte{memberOf(f, "acme", "alice"), contributed(f, "steward-alpha", "alpha", "alice", "code", 60, 5)}

	seed := func(st attest.Statement, signer uint8) {
		names := make([]string, len(st.Subject))
		for i, s := range st.Subject {
			names[i] = s.Name
		}
		for terms := range uint8(len(fuzzTerms)) {
			f.Add(terms, signer, st.PredicateType, strings.Join(names, ","), []byte(st.Predicate), false)
		}
	}
	// A grant covering the fuzzed request's use, and one for a smaller use.
	grant := Grant{Commons: "alpha", Entity: "acme", TermsDigest: evals[0].TermsDigest(), Outcome: Free, Clause: "reciprocity",
		RequestDigest: "sha256:" + strings.Repeat("0", 64), Use: GrantUse{Commercial: true, Seats: 2},
		IssuedAt: at.Format(time.RFC3339), ValidFrom: at.Format(time.RFC3339), ValidUntil: at.AddDate(0, 1, 0).Format(time.RFC3339)}
	for _, seats := range []int64{2, 1} {
		grant.Use.Seats = seats
		if st, err := attest.NewStatement(GrantPredicateType, grant, attest.SubjectFor("commons:alpha"), attest.SubjectFor("entity:acme")); err == nil {
			seed(st, 2)
		}
	}
	if st, err := NewFactStatement(Fact{Entity: "acme", Fact: "contributes-back"}); err == nil {
		seed(st, 0)
	}
	if st, err := NewControlStatement(Control{Controller: "parent", Controlled: "acme", From: at.AddDate(-1, 0, 0).Format(time.RFC3339)}); err == nil {
		seed(st, 0)
	}
	if st, err := contribution.NewEntityStatement(contribution.Entity{ID: "acme", AsOf: at.AddDate(0, -1, 0), Kind: kindFact(contribution.KindCooperative),
		WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true), Headcount: contribution.IntFact{Known: true, Value: 40}}); err == nil {
		seed(st, 0)
	}
	if st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: id("alice"), Kind: "code",
		Quantity: 90_000, Unit: "points", At: at.AddDate(0, 0, -1)}); err == nil {
		seed(st, 1)
	}
	if st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", Role: "maintainer", From: at.AddDate(-2, 0, 0)}, pub("alice")); err == nil {
		seed(st, 4)
		seed(st, 3)
	}
	f.Add(uint8(0), uint8(0), "", "", []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`), true)

	f.Fuzz(func(t *testing.T, terms, signer uint8, predicateType, subjects string, predicate []byte, raw bool) {
		e := evals[int(terms)%len(evals)]
		env := predicate
		var others [][]byte // the same statement under other signatures
		if !raw {
			st := attest.Statement{Type: attest.StatementType, PredicateType: predicateType, Predicate: predicate}
			for _, s := range strings.Split(subjects, ",") {
				st.Subject = append(st.Subject, attest.SubjectFor(s))
			}
			signed, err := attest.SignStatement(st)
			if err != nil {
				return // not a statement attest would sign: nothing to present
			}
			for _, k := range fuzzSigners[int(signer)%len(fuzzSigners)] {
				if err := signed.AddSignature(key(k)); err != nil {
					t.Fatal(err)
				}
			}
			if env, err = signed.MarshalJSON(); err != nil {
				t.Fatal(err)
			}
			// The next signer set alone, and added to this one.
			alone, _ := attest.SignStatement(st)
			for _, k := range fuzzSigners[(int(signer)+1)%len(fuzzSigners)] {
				if err := alone.AddSignature(key(k)); err != nil {
					t.Fatal(err)
				}
				if err := signed.AddSignature(key(k)); err != nil {
					t.Fatal(err)
				}
			}
			for _, o := range []*attest.Envelope{alone, signed} {
				b, err := o.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				others = append(others, b)
			}
		}
		base := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at, Evidence: good}
		r := *base
		r.Evidence = [][]byte{good[0], good[1], env}
		without, err := e.Evaluate(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range others {
			if _, err := e.Evaluate(&Request{Entity: r.Entity, Use: r.Use, At: at, Evidence: [][]byte{good[0], good[1], o}}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := e.Evaluate(&r)
		if err != nil {
			t.Fatalf("evidence made the request fail: %v", err)
		}
		first, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if ref, err := d.referenceJSON(); err != nil || !bytes.Equal(first, ref) {
			t.Fatalf("MarshalJSON differs from the reference encoding (%v):\n%s\n%s", err, first, ref)
		}
		again, err := e.Evaluate(&r)
		if err != nil {
			t.Fatal(err)
		}
		var reused Decision
		if err := e.EvaluateInto(&reused, base); err != nil {
			t.Fatal(err)
		}
		if err := e.EvaluateInto(&reused, &r); err != nil {
			t.Fatal(err)
		}
		for _, other := range []*Decision{d, again, &reused} {
			b, err := other.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, b) {
				t.Fatalf("same request, different bytes:\n%s\n%s", first, b)
			}
		}
		nw := newWorld(t)
		fresh, err := Compile(Config{Terms: e.Terms(), Commons: nw.alpha, Peers: []contribution.Commons{nw.beta}, Trust: nw.trust})
		if err != nil {
			t.Fatal(err)
		}
		fd, err := fresh.Evaluate(&r)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := fd.MarshalJSON(); err != nil || !bytes.Equal(first, b) {
			t.Fatalf("a fresh evaluator decides differently (%v):\nwarmed: %s\nfresh:  %s", err, first, b)
		}
		sum := sha256.Sum256(env)
		ref := "sha256:" + hex.EncodeToString(sum[:])
		for _, ig := range d.Ignored() {
			if ig.Envelope != ref {
				continue
			}
			if d.Outcome() != without.Outcome() || d.Price() != without.Price() || d.Clause() != without.Clause() ||
				!d.ValidUntil().Equal(without.ValidUntil()) {
				t.Fatalf("ignored evidence (%s) changed the decision:\nwith:    %s\nwithout: %s", ig.Reason, d.Explain(), without.Explain())
			}
		}
	})
}
