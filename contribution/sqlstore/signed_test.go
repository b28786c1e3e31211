package sqlstore

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func seeded(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = b
	return ed25519.NewKeyFromSeed(seed)
}

// fixture is a steward of commons "web" whose signed contributions go
// through a real attest.Trust, as a marketplace receives them.
type fixture struct {
	steward ed25519.PrivateKey
	trust   *attest.Trust
	ledger  *contribution.Ledger // decodes; its store is not the one tested
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	steward := seeded(1)
	trust, err := attest.NewTrust(attest.Rule{Key: steward.Public().(ed25519.PublicKey),
		PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:web"}})
	if err != nil {
		t.Fatal(err)
	}
	l := contribution.NewLedger(nil)
	if err := l.AddCommons(contribution.Commons{ID: "web", Stewards: []string{attest.KeyID(steward.Public().(ed25519.PublicKey))}}); err != nil {
		t.Fatal(err)
	}
	return &fixture{steward: steward, trust: trust, ledger: l}
}

// item signs contribution n (by one of 50 contributors), verifies it as
// first seen at seen, and returns what Ingest takes.
func (f *fixture) item(t testing.TB, n int, seen time.Time) Item {
	t.Helper()
	who := attest.KeyID(seeded(byte(10 + n%50)).Public().(ed25519.PublicKey))
	st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: "web", Contributor: who,
		Kind: "code", Quantity: contribution.Quantity(1000 + n), Unit: "commits", At: t0.Add(time.Duration(n) * time.Minute),
		Evidence: []string{fmt.Sprintf("gitCommit:%040x", n)}})
	if err != nil {
		t.Fatal(err)
	}
	env, err := attest.SignStatement(st, f.steward)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return f.verify(t, raw, seen)
}

func (f *fixture) verify(t testing.TB, raw []byte, seen time.Time) Item {
	t.Helper()
	v, err := f.trust.Verify(raw, attest.VerifyOptions{Time: seen, FirstSeen: seen, PredicateTypes: []string{contribution.ContributionPredicateType}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := contribution.DecodeContribution(v, f.ledger)
	if err != nil {
		t.Fatal(err)
	}
	return Item{Evidence: FromVerified(v, raw, EstablishedContribution), Contribution: &c}
}
