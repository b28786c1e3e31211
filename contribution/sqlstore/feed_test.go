package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peerproduction/ppl/contribution"
)

// TestFeedCommitOrder: writers race while a reader pages through the feed.
// Every page must continue exactly where the last one ended (a number
// handed to a transaction that commits later than a higher one would show
// up as a gap the reader steps over, and that change would be lost to it),
// and at the end the reader has seen every write once, in the order the
// numbers say.
func TestFeedCommitOrder(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		const writers, each = 4, 60
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		var stop atomic.Bool
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					n := w*each + i
					var err error
					switch {
					case i%10 == 9: // a batch through Ingest
						_, err = s.Ingest(ctx, []Item{syntheticItem(100_000 + n)})
					case i%7 == 6: // a write that changes nothing logs nothing
						_, err = s.PutContribution(ctx, *syntheticItem(n - 1).Contribution)
					default:
						_, err = s.PutContribution(ctx, *syntheticItem(n).Contribution)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		go func() { wg.Wait(); stop.Store(true) }()
		var seen []Change
		since := int64(0)
		for {
			done := stop.Load()
			chs, err := s.Changes(ctx, since, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range chs {
				if ch.Seq != since+1 {
					t.Fatalf("after %d the feed gave %d: numbers are not handed out in commit order", since, ch.Seq)
				}
				since = ch.Seq
				seen = append(seen, ch)
			}
			if done && len(chs) == 0 {
				break
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		last, err := s.LastSeq(ctx)
		if err != nil || last != since {
			t.Fatalf("LastSeq = %d, %v; the reader ended at %d", last, err, since)
		}
		// What the feed rebuilds is what the tables hold.
		fed, loaded := contribution.NewMemStore(), contribution.NewMemStore()
		for _, ch := range seen {
			if err := Apply(ctx, fed, ch); err != nil {
				t.Fatal(err)
			}
		}
		seq, err := s.LoadInto(ctx, loaded)
		if err != nil || seq != last {
			t.Fatalf("LoadInto: seq %d, %v; want %d", seq, err, last)
		}
		if diff := cmp.Diff(dump(t, loaded), dump(t, fed), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("the feed's state differs from the tables' (-loaded +fed):\n%s", diff)
		}
	})
}

// dump lists what a store holds of commons "web".
func dump(t *testing.T, s contribution.Store) []string {
	t.Helper()
	var out []string
	if err := s.RangeCommons(context.Background(), "web", t0.Add(-time.Hour), t0.AddDate(10, 0, 0), func(who string, r contribution.Record) error {
		out = append(out, fmt.Sprintf("%s %s %d %s", who, r.Statement, r.Quantity, r.At.Format(time.RFC3339Nano)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFeedRemovals: a removal reaches a follower, a re-put after it too,
// and a change read after its row was removed carries no row.
func TestFeedRemovals(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		c := *syntheticItem(1).Contribution
		m := contribution.Membership{Contributor: "p001", Entity: "acme", From: t0, Statement: syntheticItem(2).Evidence.Digest}
		for _, step := range []func() (bool, error){
			func() (bool, error) { return s.PutContribution(ctx, c) },
			func() (bool, error) { return s.PutMembership(ctx, m) },
			func() (bool, error) { return s.Remove(ctx, c.Statement) },
			func() (bool, error) { return s.Remove(ctx, c.Statement) }, // no change
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		chs, err := s.Changes(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ops []string
		for _, ch := range chs {
			ops = append(ops, fmt.Sprintf("%d %s %v %v", ch.Seq, ch.Op, ch.Contribution != nil, ch.Membership != nil))
		}
		want := []string{"1 contribution false false", "2 membership false true", "3 removed false false"}
		if diff := cmp.Diff(want, ops); diff != "" {
			t.Fatalf("feed (-want +got):\n%s", diff)
		}
		mem := contribution.NewMemStore()
		for _, ch := range chs {
			if err := Apply(ctx, mem, ch); err != nil {
				t.Fatal(err)
			}
		}
		if got := dump(t, mem); len(got) != 0 {
			t.Fatalf("removed contribution still held: %v", got)
		}
		if ms, _ := mem.MembershipsOfMembers(ctx, "acme"); len(ms) != 1 {
			t.Fatalf("memberships = %+v, want m", ms)
		}
		if _, err := s.Changes(ctx, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Changes with limit 0: %v, want ErrInvalid", err)
		}
	})
}

// instance is one marketplace process: its own pool on the shared
// database and an in-memory ledger kept current by the feed.
type instance struct {
	s      *Store
	ledger *contribution.Ledger
	done   chan error
}

func startInstance(t *testing.T, ctx context.Context, d Driver, dsn string) *instance {
	t.Helper()
	s, err := Open(ctx, d, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	mem := contribution.NewMemStore()
	seq, err := s.LoadInto(ctx, mem)
	if err != nil {
		t.Fatal(err)
	}
	l := contribution.NewLedger(mem)
	if err := l.AddCommons(contribution.Commons{ID: "web"}); err != nil {
		t.Fatal(err)
	}
	in := &instance{s: s, ledger: l, done: make(chan error, 1)}
	go func() { in.done <- s.Follow(ctx, seq, func(ch Change) error { return Apply(ctx, mem, ch) }, nil) }()
	return in
}

// TestThreeInstances: three instances on one database (PostgreSQL, where
// the feed is announced by NOTIFY, and one SQLite file, where it is
// polled), each following the feed into its own in-memory ledger. An
// attestation ingested through one is counted by a quote on each of the
// others within 1 s, and a payment reference posted to all three at once
// is accepted exactly once.
func TestThreeInstances(t *testing.T) {
	forDrivers(t, testThreeInstances)
}

func testThreeInstances(t *testing.T, d Driver) {
	dsn := freshDSN(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	var ins []*instance
	for range 3 {
		ins = append(ins, startInstance(t, ctx, d, dsn))
	}
	defer func() {
		cancel()
		for _, in := range ins {
			if err := <-in.done; !errors.Is(err, context.Canceled) {
				t.Errorf("Follow ended with %v, want context.Canceled", err)
			}
		}
	}()
	if _, err := ins[0].s.PutMembership(ctx, contribution.Membership{Contributor: "p001", Entity: "acme", From: t0.Add(-time.Hour),
		Statement: "sha256:" + fmt.Sprintf("%064x", 1<<40)}); err != nil {
		t.Fatal(err)
	}
	q := contribution.Query{Entity: "acme", Commons: "web", At: t0.AddDate(1, 0, 0)}
	var worst time.Duration
	for round := range 12 {
		from := ins[round%3]
		it := syntheticItem(100*round + 1) // contributor p001
		if _, err := from.s.Ingest(ctx, []Item{it}); err != nil {
			t.Fatal(err)
		}
		acked := time.Now()
		for k, in := range ins {
			if in == from {
				continue
			}
			for {
				r, err := in.ledger.Reciprocity(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if r.Total == contribution.Points(1000*(round+1)) {
					break
				}
				if time.Since(acked) > time.Second {
					t.Fatalf("round %d: instance %d still counts %s a second after instance %d acknowledged", round, k, r.Total, round%3)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		worst = max(worst, time.Since(acked))
	}
	t.Logf("slowest round until both other instances counted the attestation: %s", worst)

	// One payment reference, posted 8 times to each instance at once.
	var wg sync.WaitGroup
	var accepted atomic.Int32
	errs := make(chan error, 24)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			added, err := ins[i%3].s.PutPayment(ctx, Payment{Reference: "pay-1", Commons: "web", Entity: "acme", Amount: 100, Currency: "EUR", At: t0})
			if err != nil {
				errs <- err
				return
			}
			if added {
				accepted.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := accepted.Load(); n != 1 {
		t.Fatalf("payment reference accepted %d times across three instances, want once", n)
	}
}

// TestFollowAfterQuiet: a follower whose waits timed out several times
// (Poll 20 ms, 200 ms of silence) still takes the next change, and stops
// with ctx's error when ctx is cancelled.
func TestFollowAfterQuiet(t *testing.T) {
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan Change, 10)
		done := make(chan error, 1)
		go func() {
			done <- s.Follow(ctx, 0, func(ch Change) error { got <- ch; return nil }, &FollowOptions{Poll: 20 * time.Millisecond})
		}()
		time.Sleep(200 * time.Millisecond)
		c := *syntheticItem(7).Contribution
		if _, err := s.PutContribution(ctx, c); err != nil {
			t.Fatal(err)
		}
		select {
		case ch := <-got:
			if ch.Seq != 1 || ch.Contribution == nil || ch.Contribution.Statement != c.Statement {
				t.Fatalf("followed %+v, want the contribution at 1", ch)
			}
		case <-time.After(time.Second):
			t.Fatal("no change followed within 1 s")
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow ended with %v, want context.Canceled", err)
		}
	})
}
