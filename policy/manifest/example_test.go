package manifest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/manifest"
)

// sampleKey derives a fixed key from a label: SAMPLE ONLY, never for real use.
func sampleKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("SAMPLE ONLY " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func key(label string) manifest.Key {
	return manifest.Key{Public: sampleKey(label).Public().(ed25519.PublicKey), Comment: label}
}

func envelopeJSON(st attest.Statement, signers ...ed25519.PrivateKey) []byte {
	env, err := attest.SignStatement(st, attest.Signers(signers...)...)
	if err != nil {
		panic(err)
	}
	b, _ := env.MarshalJSON()
	return b
}

// Alpha recognises Beta at 0.5. Each association signs its own manifest;
// a marketplace holding both derives Alpha's evaluator and a ledger from
// them, and Beta's steward's attestation counts half for Alpha.
func Example() {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	terms, _ := manifest.BuiltinTerms("ppl-reciprocity")
	alpha := &manifest.Manifest{ID: "alpha", Name: "Alpha", Version: 1, IssuedAt: issued, Expires: issued.AddDate(2, 0, 0),
		Terms: terms, Roles: manifest.Roles{Root: []manifest.Key{key("alpha-root")}, RootThreshold: 1,
			Stewards: []manifest.Key{key("alpha-steward")}, Registrars: []manifest.Key{key("registrar")}},
		Recognises: []manifest.Recognition{{Commons: "beta", Version: 1, Weight: 500}}}
	beta := &manifest.Manifest{ID: "beta", Name: "Beta", Version: 1, IssuedAt: issued, Expires: issued.AddDate(2, 0, 0),
		Terms: terms, Roles: manifest.Roles{Root: []manifest.Key{key("beta-root")}, RootThreshold: 1,
			Stewards: []manifest.Key{key("beta-steward")}}}

	var chains []*manifest.Chain
	for _, m := range []*manifest.Manifest{alpha, beta} {
		env, err := manifest.Sign(m, sampleKey(m.ID+"-root"))
		if err != nil {
			panic(err)
		}
		data, _ := env.MarshalJSON()
		c, err := manifest.Load([][]byte{data}, "", at)
		if err != nil {
			panic(err)
		}
		chains = append(chains, c)
	}
	cfgs, err := manifest.Derive(at, chains...)
	if err != nil {
		panic(err)
	}
	cfg := cfgs[0] // alpha
	eval, err := cfg.Evaluator()
	if err != nil {
		panic(err)
	}
	ledger := contribution.NewLedger(nil)
	if err := cfg.Register(ledger); err != nil {
		panic(err)
	}

	dev := sampleKey("dev").Public().(ed25519.PublicKey)
	membership, _ := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", From: issued}, dev)
	work, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "beta",
		Contributor: attest.KeyID(dev), Entity: "acme", Kind: "code", Quantity: 300_000, Unit: "points", At: at})
	for _, e := range []struct {
		env  []byte
		pred string
	}{
		{envelopeJSON(membership, sampleKey("registrar"), sampleKey("dev")), contribution.MembershipPredicateType},
		{envelopeJSON(work, sampleKey("beta-steward")), contribution.ContributionPredicateType},
	} {
		v, err := cfg.Trust.Verify(e.env, attest.VerifyOptions{Time: at, PredicateTypes: []string{e.pred}})
		if err != nil {
			panic(err)
		}
		if _, err := ledger.Ingest(context.Background(), v); err != nil {
			panic(err)
		}
	}
	d, err := eval.Evaluate(&policy.Request{Entity: contribution.Entity{ID: "acme"}, Use: policy.Use{Commercial: true},
		At: at, Ledger: ledger})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Outcome(), d.Clause(), d.Reciprocity().Total, "points")
	for _, r := range d.Manifests() {
		fmt.Println("decided with", r.Commons, "version", r.Version, r.Digest == chains[0].Latest().Digest)
	}
	// Output:
	// free reciprocity 150.000 points
	// decided with alpha version 1 true
	// decided with beta version 1 false
}
