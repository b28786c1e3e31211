package contribution

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// A steward key revoked from T: what the ledger recorded before T keeps
// counting, what it recorded after T goes, whatever date the statements
// carry; and the order in which revocation and statements arrive does not
// matter.
func TestLedgerRevokeKeyByFirstSeen(t *testing.T) {
	pub := func(s byte) ed25519.PublicKey { return key(s).Public().(ed25519.PublicKey) }
	tr, err := attest.NewTrust(
		attest.Rule{Key: pub(1), PredicateTypes: []string{ContributionPredicateType}, Subjects: []string{"commons:a"}},
		attest.Rule{Key: pub(5), PredicateTypes: []string{ContributionPredicateType}, Subjects: []string{"commons:a"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	l := newTestLedger(t)
	if err := l.AddCommons(Commons{ID: "a", Stewards: []string{keyID(1), keyID(5)}}); err != nil {
		t.Fatal(err)
	}
	alice := keyID(30)
	if _, err := l.AddMembership(context.Background(), Membership{Contributor: alice, Entity: "acme", From: day(0), Statement: "sha256:membership"}); err != nil {
		t.Fatal(err)
	}
	contrib := func(qty Quantity, at time.Time) attest.Statement {
		st, err := NewContributionStatement(Contribution{Commons: "a", Contributor: alice, Kind: "code", Quantity: qty, Unit: "u", At: at})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	seenAt := func(env []byte, seen time.Time) *attest.Verified {
		t.Helper()
		v, err := tr.Verify(env, attest.VerifyOptions{Time: seen, FirstSeen: seen, PredicateTypes: []string{ContributionPredicateType}})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	total := func() Points {
		t.Helper()
		r, err := l.Reciprocity(context.Background(), Query{Entity: "acme", Commons: "a", At: day(400)})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	revokedFrom := day(50)

	honest := seenAt(signed(t, contrib(1000, day(5)), 1), day(10))
	// Signed by the thief after the theft, dated before it.
	stolen := seenAt(signed(t, contrib(7000, day(3)), 1), day(60))
	// Co-signed by two stewards after T: one revoked key is not enough to
	// take it away.
	cosigned := seenAt(signed(t, contrib(300, day(61)), 1, 5), day(61))
	for _, v := range []*attest.Verified{honest, stolen, cosigned} {
		if _, err := l.Ingest(context.Background(), v); err != nil {
			t.Fatal(err)
		}
	}
	if got := total(); got != 8300 {
		t.Fatalf("before revocation: %s, want 8.3", got)
	}

	if n, err := l.RevokeKey(context.Background(), keyID(1), revokedFrom); err != nil || n != 1 {
		t.Fatalf("RevokeKey removed %d (%v), want the one statement first seen after T", n, err)
	}
	if got := total(); got != 1300 {
		t.Fatalf("after revocation: %s, want 1.3 (the honest and the co-signed statement)", got)
	}

	// Arriving after the revocation: refused when first seen after T,
	// accepted when a recorder saw it before T (a replayed log).
	late := seenAt(signed(t, contrib(500, day(2)), 1), day(70))
	if _, err := l.Ingest(context.Background(), late); !errors.Is(err, attest.ErrRevoked) {
		t.Fatalf("statement first seen after T: %v, want attest.ErrRevoked", err)
	}
	replayed := seenAt(signed(t, contrib(40, day(20)), 1), day(20))
	if added, err := l.Ingest(context.Background(), replayed); err != nil || !added {
		t.Fatalf("statement first seen before T: added %v, %v", added, err)
	}
	if got := total(); got != 1340 {
		t.Fatalf("after late ingests: %s, want 1.34", got)
	}

	// A later revocation of the same key from a later time changes
	// nothing; one of the co-signer takes the co-signed statement away.
	if n, err := l.RevokeKey(context.Background(), keyID(1), day(80)); err != nil || n != 0 {
		t.Fatalf("later revocation removed %d (%v)", n, err)
	}
	if n, err := l.RevokeKey(context.Background(), keyID(5), day(55)); err != nil || n != 1 {
		t.Fatalf("co-signer's revocation removed %d (%v), want 1", n, err)
	}
	if got := total(); got != 1040 {
		t.Fatalf("after both revocations: %s, want 1.04", got)
	}

	if _, err := l.RevokeKey(context.Background(), "SHA256:short", day(1)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("malformed key id: %v", err)
	}
}
