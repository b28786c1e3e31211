package contribution

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

const dayDur = 24 * time.Hour

func key(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func keyID(seed byte) string { return attest.KeyID(key(seed).Public().(ed25519.PublicKey)) }

// newTestLedger has commons "a" (recognising "b" at 500 and "c" at 2000) and
// "b", "c", "d".
func newTestLedger(t testing.TB) *Ledger {
	t.Helper()
	return newTestLedgerOn(t, nil)
}

// newDirectLedger is newTestLedger over a store whose type is hidden, so it
// answers by the direct sum: the reference the prefix sums are held to.
func newDirectLedger(t testing.TB) *Ledger {
	t.Helper()
	return newTestLedgerOn(t, opaqueStore{NewMemStore()})
}

func newTestLedgerOn(t testing.TB, store Store) *Ledger {
	t.Helper()
	l := NewLedger(store)
	for _, c := range []Commons{
		{ID: "a", Stewards: []string{keyID(1)}, Recognises: []Recognition{{"b", 500}, {"c", 2000}}},
		{ID: "b", Stewards: []string{keyID(2)}},
		{ID: "c", Stewards: []string{keyID(3)}},
		{ID: "d", Stewards: []string{keyID(4)}},
	} {
		if err := l.AddCommons(c); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

var stmtSeq int

func contrib(commons, who, entity, kind string, units int64, at time.Time) Contribution {
	stmtSeq++
	return Contribution{Commons: commons, Contributor: who, Entity: entity, Kind: kind, Quantity: Quantity(units * 1000), Unit: "u", At: at,
		Statement: fmt.Sprintf("sha256:%064x", stmtSeq)}
}

func member(who, entity string, from, until time.Time) Membership {
	stmtSeq++
	return Membership{Contributor: who, Entity: entity, From: from, Until: until, Statement: fmt.Sprintf("sha256:m%063x", stmtSeq)}
}

func mustAdd(t testing.TB, l *Ledger, items ...any) {
	t.Helper()
	for _, it := range items {
		var err error
		switch v := it.(type) {
		case Contribution:
			_, err = l.AddContribution(context.Background(), v)
		case Membership:
			_, err = l.AddMembership(context.Background(), v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
