package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"crypto/ed25519"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

func forDrivers(t *testing.T, fn func(t *testing.T, d Driver)) {
	for _, d := range drivers {
		t.Run("driver="+string(d), func(t *testing.T) { fn(t, d) })
	}
}

func TestSchemaVersionConst(t *testing.T) {
	if SchemaVersion != len(migrations) {
		t.Fatalf("SchemaVersion %d, but %d migrations", SchemaVersion, len(migrations))
	}
}

// TestMigrations: an empty database is brought to the current version; one
// at the previous version is upgraded with its rows kept; one from a newer
// version of the package is refused; several instances starting at once on
// one empty database agree.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		t.Run("empty", func(t *testing.T) {
			s := openFresh(t, d)
			if v, err := s.Version(ctx); err != nil || v != SchemaVersion {
				t.Fatalf("Version = %d, %v; want %d", v, err, SchemaVersion)
			}
		})
		t.Run("previous", func(t *testing.T) {
			dsn := freshDSN(t, d)
			old, err := open(ctx, d, dsn, nil, SchemaVersion-1)
			if err != nil {
				t.Fatal(err)
			}
			c := contribution.Contribution{Commons: "web", Contributor: "alice", Kind: "code", Quantity: 1500, Unit: "u", At: t0,
				Statement: "sha256:0000000000000000000000000000000000000000000000000000000000000001"}
			// Written as the previous version wrote it: the row alone.
			if _, err := old.putContribution(ctx, old.db, &c); err != nil {
				t.Fatal(err)
			}
			// The previous version has no change feed.
			if _, err := old.LastSeq(ctx); err == nil {
				t.Fatal("LastSeq worked at the previous schema version: the test does not start where it claims")
			}
			if v, _ := old.Version(ctx); v != SchemaVersion-1 {
				t.Fatalf("old store at version %d", v)
			}
			old.Close()
			s, err := Open(ctx, d, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.Version(ctx); err != nil || v != SchemaVersion {
				t.Fatalf("after upgrade Version = %d, %v", v, err)
			}
			n := 0
			if err := s.RangeCommons(context.Background(), "web", t0.Add(-1), t0, func(string, contribution.Record) error { n++; return nil }); err != nil || n != 1 {
				t.Fatalf("after upgrade: %d contributions, %v; want the 1 stored before", n, err)
			}
			// The feed starts empty; a cold start still finds the old row,
			// and the next write is the feed's first change.
			mem := contribution.NewMemStore()
			if seq, err := s.LoadInto(ctx, mem); err != nil || seq != 0 {
				t.Fatalf("LoadInto after upgrade: seq %d, %v; want 0", seq, err)
			}
			if added, err := mem.PutContribution(ctx, c); added || err != nil {
				t.Fatalf("the row stored before the upgrade was not loaded (put again: %v, %v)", added, err)
			}
			c2 := c
			c2.Statement = "sha256:0000000000000000000000000000000000000000000000000000000000000002"
			if added, err := s.PutContribution(ctx, c2); !added || err != nil {
				t.Fatalf("PutContribution after upgrade: %v, %v", added, err)
			}
			if chs, err := s.Changes(ctx, 0, 10); err != nil || len(chs) != 1 || chs[0].Seq != 1 || chs[0].Contribution == nil || chs[0].Contribution.Statement != c2.Statement {
				t.Fatalf("Changes after upgrade = %+v, %v; want c2's put at 1", chs, err)
			}
		})
		t.Run("newer", func(t *testing.T) {
			dsn := freshDSN(t, d)
			s, err := Open(ctx, d, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(`UPDATE ppl_schema SET version = 99`); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err = Open(ctx, d, dsn, nil)
			var se *Error
			if !errors.Is(err, ErrSchemaVersion) || !errors.As(err, &se) || se.Table != "ppl_schema" {
				t.Fatalf("Open of a newer database: %v; want ErrSchemaVersion", err)
			}
		})
		t.Run("concurrent", func(t *testing.T) {
			dsn := freshDSN(t, d)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := Open(ctx, d, dsn, nil)
					if err == nil {
						s.Close()
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(ctx, d, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var rows int
			if err := s.db.QueryRow(`SELECT COUNT(*) FROM ppl_schema`).Scan(&rows); err != nil || rows != 1 {
				t.Fatalf("ppl_schema has %d rows, %v; want 1", rows, err)
			}
		})
	})
}

func TestEvidenceLog(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		first := t0.Add(time.Hour)
		items := []Item{f.item(t, 1, first), f.item(t, 2, first), f.item(t, 3, first)}
		res, err := s.Ingest(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if !r.Added || !r.FirstSeen.Equal(first) || (i > 0 && r.Seq <= res[i-1].Seq) {
				t.Fatalf("Ingest result %d = %+v", i, r)
			}
		}
		// Seen again later, with a new one: the first-seen time recorded
		// first stands, and only the new one is added.
		later := first.Add(24 * time.Hour)
		again := []Item{f.verify(t, items[1].Evidence.Envelope, later), f.item(t, 4, later)}
		res2, err := s.Ingest(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if res2[0].Added || !res2[0].FirstSeen.Equal(first) || res2[0].Seq != res[1].Seq {
			t.Fatalf("re-ingest = %+v; want not added, first seen %v, seq %d", res2[0], first, res[1].Seq)
		}
		if !res2[1].Added || !res2[1].FirstSeen.Equal(later) {
			t.Fatalf("new item = %+v", res2[1])
		}
		e, err := s.Evidence(ctx, items[0].Evidence.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e.Envelope, items[0].Evidence.Envelope) || !e.FirstSeen.Equal(first) || e.Established != EstablishedContribution ||
			len(e.Signers) != 1 || e.Signers[0] != items[0].Evidence.Signers[0] || e.PredicateType != contribution.ContributionPredicateType {
			t.Fatalf("Evidence = %+v", e)
		}
		// A replay verifies the stored bytes at the stored first-seen time.
		v, err := f.trust.Verify(e.Envelope, attest.VerifyOptions{Time: later, FirstSeen: e.FirstSeen, PredicateTypes: []string{e.PredicateType}})
		if err != nil || v.Digest != e.Digest || !v.FirstSeen.Equal(first) {
			t.Fatalf("replay: %v, %v", v, err)
		}
		var log []Evidence
		for after := int64(0); ; {
			page, err := s.EvidenceSince(ctx, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			log = append(log, page...)
			after = page[len(page)-1].Seq
		}
		want := []string{items[0].Evidence.Digest, items[1].Evidence.Digest, items[2].Evidence.Digest, again[1].Evidence.Digest}
		if len(log) != len(want) {
			t.Fatalf("the log holds %d envelopes, want %d", len(log), len(want))
		}
		for i, e := range log {
			if e.Digest != want[i] {
				t.Fatalf("log[%d] = %s, want %s", i, e.Digest, want[i])
			}
		}
		if _, err := s.Evidence(ctx, "sha256:"+string(bytes.Repeat([]byte("f"), 64))); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Evidence of an unknown digest: %v", err)
		}
		// What was ingested is in the ledger's rows.
		n := 0
		if err := s.RangeCommons(context.Background(), "web", t0.Add(-time.Hour), t0.Add(time.Hour), func(string, contribution.Record) error { n++; return nil }); err != nil || n != 4 {
			t.Fatalf("RangeCommons after Ingest: %d, %v; want 4", n, err)
		}
		// A removed (revoked) statement seen again stays removed.
		if ok, err := s.Remove(context.Background(), items[0].Evidence.Digest); !ok || err != nil {
			t.Fatalf("Remove = %v, %v", ok, err)
		}
		if res, err := s.Ingest(ctx, items[:1]); err != nil || res[0].Added {
			t.Fatalf("re-ingest after Remove: %+v, %v", res, err)
		}
		n = 0
		_ = s.RangeCommons(context.Background(), "web", t0.Add(-time.Hour), t0.Add(time.Hour), func(string, contribution.Record) error { n++; return nil })
		if n != 3 {
			t.Fatalf("after Remove and re-ingest: %d contributions, want 3", n)
		}
	})
}

// TestIngestRefuses: bad items fail with a typed error naming the field, and
// a batch with one bad item stores nothing.
func TestIngestRefuses(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		good := f.item(t, 1, t0)
		cases := []struct {
			name  string
			field string
			edit  func(it *Item)
		}{
			{"digest", "Digest", func(it *Item) { it.Evidence.Digest = "sha256:ABC" }},
			{"established", "Established", func(it *Item) { it.Evidence.Established = "gossip" }},
			{"first seen", "FirstSeen", func(it *Item) { it.Evidence.FirstSeen = time.Time{} }},
			{"year 3000", "FirstSeen", func(it *Item) { it.Evidence.FirstSeen = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }},
			{"signer", "Signers", func(it *Item) { it.Evidence.Signers = []string{"SHA256:x\nSHA256:y"} }},
			{"statement", "Statement", func(it *Item) { c := *it.Contribution; c.Statement = "sha256:other"; it.Contribution = &c }},
			{"contribution date", "At", func(it *Item) {
				c := *it.Contribution
				c.At = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)
				it.Contribution = &c
			}},
			{"envelope", "Envelope", func(it *Item) { it.Evidence.Envelope = nil }},
		}
		for _, tc := range cases {
			bad := f.item(t, 2, t0)
			tc.edit(&bad)
			_, err := s.Ingest(ctx, []Item{good, bad})
			var se *Error
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &se) || se.Field != tc.field {
				t.Errorf("%s: %v; want ErrInvalid on field %s", tc.name, err, tc.field)
			}
		}
		if _, err := s.Ingest(ctx, []Item{good, good}); !errors.Is(err, ErrInvalid) {
			t.Errorf("a digest twice in one batch: %v", err)
		}
		if _, err := s.Evidence(ctx, good.Evidence.Digest); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a failed batch stored its good item: %v", err)
		}
	})
}

func TestKeyRevocations(t *testing.T) {
	ctx := context.Background()
	key := attest.KeyID(seeded(9).Public().(ed25519.PublicKey))
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		for _, tc := range []struct{ from, want time.Time }{
			{t0.Add(48 * time.Hour), t0.Add(48 * time.Hour)},
			{t0.Add(72 * time.Hour), t0.Add(48 * time.Hour)}, // later: the earliest stands
			{t0.Add(24 * time.Hour), t0.Add(24 * time.Hour)},
		} {
			got, err := s.PutKeyRevocation(ctx, KeyRevocation{Key: key, From: tc.from, Statement: "sha256:r"})
			if err != nil || !got.From.Equal(tc.want) {
				t.Fatalf("PutKeyRevocation(%v) = %+v, %v; want from %v", tc.from, got, err, tc.want)
			}
		}
		all, err := s.KeyRevocations(ctx)
		if err != nil || len(all) != 1 || !all[0].From.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("KeyRevocations = %+v, %v", all, err)
		}
		if _, err := s.PutKeyRevocation(ctx, KeyRevocation{Key: "alice", From: t0}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a revocation of a non-key: %v", err)
		}
	})
}

func TestPayments(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		dsn := freshDSN(t, d)
		s, err := Open(ctx, d, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p := Payment{Reference: "pi_1", Commons: "web", Entity: "acme", Amount: 10_000, Currency: "EUR", At: t0}
		if added, err := s.PutPayment(ctx, p); !added || err != nil {
			t.Fatalf("PutPayment = %v, %v", added, err)
		}
		if added, err := s.PutPayment(ctx, p); added || err != nil {
			t.Fatalf("the same payment again = %v, %v; want false, nil", added, err)
		}
		q := p
		q.Entity = "mallory"
		var se *Error
		if _, err := s.PutPayment(ctx, q); !errors.Is(err, ErrConflict) || !errors.As(err, &se) || se.Key != "pi_1" {
			t.Fatalf("another payment under the reference: %v; want ErrConflict", err)
		}
		// Two instances (two pools) racing to accept one reference for
		// different payers: the database lets exactly one in.
		other, err := Open(ctx, d, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for round := range 10 {
			ref := "race-" + string(rune('a'+round))
			var wg sync.WaitGroup
			var added [2]bool
			var errs [2]error
			for i, st := range []*Store{s, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					added[i], errs[i] = st.PutPayment(ctx, Payment{Reference: ref, Commons: "web", Entity: []string{"acme", "beta"}[i], Amount: 5, Currency: "EUR", At: t0})
				}()
			}
			wg.Wait()
			if added[0] == added[1] {
				t.Fatalf("round %d: added %v, errors %v; want exactly one accepted", round, added, errs)
			}
			for i := range 2 {
				if !added[i] && !errors.Is(errs[i], ErrConflict) {
					t.Fatalf("round %d: the loser got %v, want ErrConflict", round, errs[i])
				}
			}
		}

		parts := []Allocation{{"contributor:b", 3000}, {"association", 7000}}
		if _, err := s.PutAllocations(ctx, "pi_1", []Allocation{{"association", 7000}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("allocations short of the payment: %v", err)
		}
		if _, err := s.PutAllocations(ctx, "pi_1", []Allocation{{"a", 7000}, {"a", 3000}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a party twice: %v", err)
		}
		if _, err := s.PutAllocations(ctx, "nope", parts); !errors.Is(err, ErrNotFound) {
			t.Fatalf("allocations of an unknown payment: %v", err)
		}
		if added, err := s.PutAllocations(ctx, "pi_1", parts); !added || err != nil {
			t.Fatalf("PutAllocations = %v, %v", added, err)
		}
		if added, err := other.PutAllocations(ctx, "pi_1", []Allocation{parts[1], parts[0]}); added || err != nil {
			t.Fatalf("the same allocation again = %v, %v", added, err)
		}
		if _, err := other.PutAllocations(ctx, "pi_1", []Allocation{{"association", 10_000}}); !errors.Is(err, ErrConflict) {
			t.Fatalf("a different allocation: %v", err)
		}
		got, err := s.Allocations(ctx, "pi_1")
		if err != nil || len(got) != 2 || got[0] != parts[1] || got[1] != parts[0] {
			t.Fatalf("Allocations = %+v, %v", got, err)
		}

		g := Grant{Digest: "sha256:" + string(bytes.Repeat([]byte("a"), 64)), Commons: "web", Entity: "acme",
			Issued: t0, Expires: t0.AddDate(1, 0, 0), Payment: "pi_1", Envelope: []byte(`{"payloadType":"x"}`)}
		if added, err := s.PutGrant(ctx, g); !added || err != nil {
			t.Fatalf("PutGrant = %v, %v", added, err)
		}
		if added, err := other.PutGrant(ctx, g); added || err != nil {
			t.Fatalf("the same grant again = %v, %v", added, err)
		}
		g2 := g
		g2.Entity = "beta"
		if _, err := s.PutGrant(ctx, g2); !errors.Is(err, ErrConflict) {
			t.Fatalf("another grant under the digest: %v", err)
		}
		if back, err := other.Grant(ctx, g.Digest); err != nil || !bytes.Equal(back.Envelope, g.Envelope) || !back.Expires.Equal(g.Expires) {
			t.Fatalf("Grant = %+v, %v", back, err)
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "oracle", "x", nil); !errors.Is(err, ErrDriver) {
		t.Fatalf("unknown driver: %v", err)
	}
	if _, err := Open(ctx, SQLite, "/tmp/x.db?mode=memory", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a SQLite path with a query: %v", err)
	}
}
