package contribution_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

func seededKey(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = b
	return ed25519.NewKeyFromSeed(seed)
}

// A commons that recognises a peer, a member of an entity who contributed to
// both, and the reciprocity question a license asks.
func ExampleLedger_Reciprocity() {
	day := func(n int) time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	ledger := contribution.NewLedger(nil)
	web := contribution.Commons{ID: "web", Name: "Web toolkit",
		Recognises: []contribution.Recognition{{Commons: "docs-commons", Weight: 500}}}
	_ = ledger.AddCommons(web)
	_ = ledger.AddCommons(contribution.Commons{ID: "docs-commons"})

	_, _ = ledger.AddMembership(context.Background(), contribution.Membership{Contributor: "alice", Entity: "acme", From: day(0), Statement: "sha256:m1"})
	_, _ = ledger.AddContribution(context.Background(), contribution.Contribution{Commons: "web", Contributor: "alice", Kind: "code",
		Quantity: 30_000, Unit: "commits", At: day(10), Statement: "sha256:c1"})
	_, _ = ledger.AddContribution(context.Background(), contribution.Contribution{Commons: "docs-commons", Contributor: "alice", Kind: "docs",
		Quantity: 20_000, Unit: "pages", At: day(40), Statement: "sha256:c2"})

	r, err := ledger.Reciprocity(context.Background(), contribution.Query{
		Entity: "acme", Commons: "web", At: day(40),
		Window: 365 * 24 * time.Hour, HalfLife: 30 * 24 * time.Hour,
		Recognised: web.RecognisedWeights(),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("total", r.Total)
	for _, s := range r.ByCommons {
		fmt.Println(s.Key, s.Points)
	}
	// Output:
	// total 25.000
	// docs-commons 10.000
	// web 15.000
}

// A steward attests a contribution; the ledger ingests it once verified.
func ExampleLedger_Ingest() {
	steward, alice := seededKey(1), seededKey(2)
	alicePub := alice.Public().(ed25519.PublicKey)
	trust, _ := attest.NewTrust(attest.Rule{Key: steward.Public().(ed25519.PublicKey),
		PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:web"}})
	ledger := contribution.NewLedger(nil)
	_ = ledger.AddCommons(contribution.Commons{ID: "web", Stewards: []string{attest.KeyID(steward.Public().(ed25519.PublicKey))}})

	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: "web", Contributor: attest.KeyID(alicePub),
		Kind: "code", Quantity: 1_500, Unit: "commits", At: at, Evidence: []string{"gitCommit:4b825dc642cb6eb9a060e54bf8d69288fbee4904"}})
	if err != nil {
		panic(err)
	}
	env, _ := attest.SignStatement(st, steward)
	envJSON, _ := json.Marshal(env)

	v, err := trust.Verify(envJSON, attest.VerifyOptions{Time: at, PredicateTypes: []string{contribution.ContributionPredicateType}})
	if err != nil {
		panic(err)
	}
	added, err := ledger.Ingest(context.Background(), v)
	fmt.Println(added, err)
	c, _ := contribution.DecodeContribution(v, ledger)
	fmt.Println(c.Kind, c.Quantity, c.Unit)
	// Output:
	// true <nil>
	// code 1.500 commits
}
