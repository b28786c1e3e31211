package sqlstore

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestReplayJudgesByFirstSeen: a ledger rebuilt from the evidence log, each
// envelope verified at the first-seen time the store recorded, then the
// stored key revocations applied, keeps exactly what was first seen before
// the revocation — also for an envelope that arrived again after it.
func TestReplayJudgesByFirstSeen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	steward := attest.KeyID(f.steward.Public().(ed25519.PublicKey))
	revokedFrom := t0.Add(5 * time.Hour)
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		var items []Item
		for n := range 10 {
			items = append(items, f.item(t, n, t0.Add(time.Duration(n)*time.Hour)))
		}
		if _, err := s.Ingest(ctx, items); err != nil {
			t.Fatal(err)
		}
		// Item 1 arrives again after the revocation; its first sight stands.
		if _, err := s.Ingest(ctx, []Item{f.verify(t, items[1].Evidence.Envelope, revokedFrom.Add(time.Hour))}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutKeyRevocation(ctx, KeyRevocation{Key: steward, From: revokedFrom}); err != nil {
			t.Fatal(err)
		}

		replayed := contribution.NewLedger(nil)
		if err := replayed.AddCommons(contribution.Commons{ID: "web", Stewards: []string{steward}}); err != nil {
			t.Fatal(err)
		}
		for after := int64(0); ; {
			page, err := s.EvidenceSince(ctx, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				v, err := f.trust.Verify(e.Envelope, attest.VerifyOptions{Time: e.FirstSeen, FirstSeen: e.FirstSeen, PredicateTypes: []string{e.PredicateType}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := replayed.Ingest(context.Background(), v); err != nil {
					t.Fatal(err)
				}
			}
			after = page[len(page)-1].Seq
		}
		revs, err := s.KeyRevocations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range revs {
			if _, err := replayed.RevokeKey(context.Background(), r.Key, r.From); err != nil {
				t.Fatal(err)
			}
		}
		pts, _, err := replayed.ContributorPoints(context.Background(), contribution.Query{Commons: "web", At: t0.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var counted contribution.Points
		for _, p := range pts {
			counted += p.Points
		}
		// Items 0..4 were first seen before the revocation: quantities 1.000+n.
		var want contribution.Points
		for n := range 5 {
			want += contribution.Points(1000 + n)
		}
		if counted != want {
			t.Fatalf("replayed ledger counts %s points, want %s (items first seen before %v)", counted, want, revokedFrom)
		}
	})
}
