package policy_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// sampleKey derives a fixed key from a label: SAMPLE ONLY, never for real use.
func sampleKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("SAMPLE ONLY " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func publicKey(label string) ed25519.PublicKey { return sampleKey(label).Public().(ed25519.PublicKey) }

func envelopeJSON(st attest.Statement, signers ...ed25519.PrivateKey) []byte {
	env, err := attest.SignStatement(st)
	if err != nil {
		panic(err)
	}
	for _, s := range signers {
		if err := env.AddSignature(s); err != nil {
			panic(err)
		}
	}
	b, _ := env.MarshalJSON()
	return b
}

// A marketplace quotes a for-profit whose developer contributed to the
// commons, but not yet enough: it pays, and is shown its path to free.
func ExampleEvaluator_Evaluate() {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	commons := contribution.Commons{ID: "alpha", Stewards: []string{attest.KeyID(publicKey("steward"))},
		Recognises: []contribution.Recognition{{Commons: "beta", Weight: 500}}}
	trust, _ := attest.NewTrust(
		attest.Rule{Key: publicKey("steward"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: publicKey("acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
	)
	terms, _ := license.Builtin("ppl-reciprocity")
	eval, err := policy.Compile(policy.Config{Terms: terms, Commons: commons, Trust: trust})
	if err != nil {
		panic(err)
	}

	membership, _ := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", From: at.AddDate(-1, 0, 0)}, publicKey("dev"))
	work, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(publicKey("dev")),
		Entity: "acme", Kind: "code", Quantity: 30_000, Unit: "points", At: at})
	d, err := eval.Evaluate(&policy.Request{
		Entity:   contribution.Entity{ID: "acme"},
		Use:      policy.Use{Commercial: true, Seats: 2},
		At:       at,
		Evidence: [][]byte{envelopeJSON(membership, sampleKey("acme"), sampleKey("dev")), envelopeJSON(work, sampleKey("steward"))},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Outcome(), d.Price().Amount, d.Price().Currency, d.Clause())
	fmt.Println("shortfall:", d.PathToFree().Shortfall)
	for _, c := range d.Counted() {
		if c.PredicateType == contribution.ContributionPredicateType {
			fmt.Println("contribution counted:", c.Points, "points")
		}
	}
	for _, c := range d.Clauses() {
		fmt.Println(c.Held, c.ID, "-", c.Reason)
	}
	// Output:
	// pay 24000 EUR private-license
	// shortfall: 70.000
	// contribution counted: 30.000 points
	// false noncommercial - use is commercial
	// false worker-owned - worker ownership unknown
	// false reciprocity - reciprocity 30.000 < 100
	// true private-license - default clause
}

// A grant signed by the marketplace is verified offline, later, by anyone
// holding the marketplace's public key.
func ExampleVerifyGrant() {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	terms, _ := license.Builtin("ppl")
	eval, _ := policy.Compile(policy.Config{Terms: terms, Commons: contribution.Commons{ID: "alpha"}})
	d, _ := eval.Evaluate(&policy.Request{Entity: contribution.Entity{ID: "acme"}, Use: policy.Use{Commercial: true}, At: at})
	env, err := policy.SignGrant(d, sampleKey("marketplace"), "invoice-42", at.AddDate(1, 0, 0))
	if err != nil {
		panic(err)
	}
	grantJSON, _ := env.MarshalJSON()

	trust, _ := attest.NewTrust(attest.Rule{Key: publicKey("marketplace"), PredicateTypes: []string{policy.GrantPredicateType},
		Subjects: []string{"commons:alpha", "entity:*"}})
	g, err := policy.VerifyGrant(trust, grantJSON, at.AddDate(0, 6, 0))
	fmt.Println(err, g.Entity, g.Outcome, g.Payment, g.ValidUntil)
	// It covers the use it was decided for and no larger one.
	fmt.Printf("commercial=%v seats=%d\n", g.Use.Commercial, g.Use.Seats)
	_, err = policy.VerifyGrant(trust, grantJSON, at.AddDate(2, 0, 0))
	fmt.Println(err != nil)
	// Output:
	// <nil> acme pay invoice-42 2027-11-25T00:00:00Z
	// commercial=true seats=1
	// true
}

// A backend quoting many requests can reuse one Decision: a request that
// brings its reciprocity already summed then allocates nothing.
func ExampleEvaluator_EvaluateInto() {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	terms, _ := license.Builtin("ppl-reciprocity")
	eval, _ := policy.Compile(policy.Config{Terms: terms, Commons: contribution.Commons{ID: "alpha"}, AcceptSelfDeclared: true})
	var d policy.Decision
	for _, c := range []struct {
		entity string
		points contribution.Points
	}{{"acme", 40_000}, {"globex", 250_000}} {
		r := &policy.Request{Entity: contribution.Entity{ID: c.entity}, Use: policy.Use{Commercial: true, Seats: 3}, At: at,
			Reciprocity: &contribution.Reciprocity{Total: c.points}}
		if err := eval.EvaluateInto(&d, r); err != nil {
			panic(err)
		}
		fmt.Println(c.entity, d.Outcome(), d.Price().Amount, d.Price().Currency)
	}
	// Output:
	// acme pay 36000 EUR
	// globex free 0
}
