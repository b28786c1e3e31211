// Package storetest is the conformance suite for contribution.Store: every
// implementation (MemStore, sqlstore on SQLite and on PostgreSQL, an
// application's own) must give the same answers to the same calls, down to
// ordering, idempotency and removal, under concurrent writers, and a Ledger
// over it must count exactly as a Ledger over MemStore does.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) contribution.Store { return myStore(t) })
//	}
//
// newStore must return a new, empty store for each call; the suite closes
// nothing, so register cleanup with t.Cleanup.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peerproduction/ppl/contribution"
)

// Run runs the suite against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) contribution.Store) {
	t.Run("PutIdempotent", func(t *testing.T) { testPutIdempotent(t, newStore(t)) })
	t.Run("OneDigestOneStatement", func(t *testing.T) { testOneDigest(t, newStore(t)) })
	t.Run("RangeOrderAndWindow", func(t *testing.T) { testRange(t, newStore(t)) })
	t.Run("RangeManyOrder", func(t *testing.T) { testRangeMany(t, newStore(t)) })
	t.Run("RangeCommonsOrder", func(t *testing.T) { testRangeCommons(t, newStore(t)) })
	t.Run("CallbackError", func(t *testing.T) { testCallbackError(t, newStore(t)) })
	t.Run("Memberships", func(t *testing.T) { testMemberships(t, newStore(t)) })
	t.Run("Remove", func(t *testing.T) { testRemove(t, newStore(t)) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testConcurrent(t, newStore(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newStore(t)) })
	t.Run("LedgerMatchesMemStore", func(t *testing.T) { testLedger(t, newStore) })
	t.Run("QuoteCallsConstant", func(t *testing.T) { testQuoteCalls(t, newStore) })
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func digest(prefix string, n int) string {
	return fmt.Sprintf("sha256:%s%0*x", prefix, 64-len(prefix), n)
}

func contrib(n int, commons, who, entity, kind string, units int64, at time.Time) contribution.Contribution {
	return contribution.Contribution{Commons: commons, Contributor: who, Entity: entity, Kind: kind,
		Quantity: contribution.Quantity(units * 1000), Unit: "u", At: at, Statement: digest("c", n)}
}

func member(n int, who, entity string, from, until time.Time) contribution.Membership {
	return contribution.Membership{Contributor: who, Entity: entity, From: from, Until: until, Statement: digest("d", n)}
}

// opts compares times as instants: a store may hand back another location.
var opts = cmp.Options{cmpopts.EquateEmpty(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })}

func put(t *testing.T, s contribution.Store, items ...any) {
	t.Helper()
	for _, it := range items {
		var added bool
		var err error
		switch v := it.(type) {
		case contribution.Contribution:
			added, err = s.PutContribution(context.Background(), v)
		case contribution.Membership:
			added, err = s.PutMembership(context.Background(), v)
		default:
			t.Fatalf("put %T", it)
		}
		if err != nil || !added {
			t.Fatalf("put %+v: added %v, %v", it, added, err)
		}
	}
}

type ranged struct {
	Commons int
	R       contribution.Record
}

func rangeAll(t *testing.T, s contribution.Store, who string, commons []string, after, upTo time.Time) []ranged {
	t.Helper()
	var out []ranged
	if err := s.RangeMany(context.Background(), []string{who}, commons, after, upTo, func(c string, i int, r contribution.Record) error {
		if c != who {
			t.Fatalf("RangeMany for %q called back with %q", who, c)
		}
		out = append(out, ranged{i, r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

type byCommons struct {
	Who string
	R   contribution.Record
}

type byContributor struct {
	Who     string
	Commons int
	R       contribution.Record
}

func rangeMany(t *testing.T, s contribution.Store, who, commons []string, after, upTo time.Time) []byContributor {
	t.Helper()
	var out []byContributor
	if err := s.RangeMany(context.Background(), who, commons, after, upTo, func(c string, i int, r contribution.Record) error {
		out = append(out, byContributor{c, i, r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// members is what the suite reads memberships through: those of entity's
// members, and among them those in entity.
func members(t *testing.T, s contribution.Store, entity string) (all, in []contribution.Membership) {
	t.Helper()
	all, err := s.MembershipsOfMembers(context.Background(), entity)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Entity == entity {
			in = append(in, m)
		}
	}
	return all, in
}

func rangeCommons(t *testing.T, s contribution.Store, commons string, after, upTo time.Time) []byCommons {
	t.Helper()
	var out []byCommons
	if err := s.RangeCommons(context.Background(), commons, after, upTo, func(who string, r contribution.Record) error {
		out = append(out, byCommons{who, r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func rec(c contribution.Contribution) contribution.Record {
	return contribution.Record{At: c.At, Quantity: c.Quantity, Kind: c.Kind, Entity: c.Entity, Statement: c.Statement}
}

func testPutIdempotent(t *testing.T, s contribution.Store) {
	c := contrib(1, "a", "alice", "", "code", 3, day(1))
	m := member(1, "alice", "acme", day(0), time.Time{})
	put(t, s, c, m)
	c2 := c
	c2.Quantity = 99_000 // same digest, other content: the first one stays
	if added, err := s.PutContribution(context.Background(), c2); added || err != nil {
		t.Fatalf("second PutContribution: added %v, %v; want false, nil", added, err)
	}
	if added, err := s.PutMembership(context.Background(), m); added || err != nil {
		t.Fatalf("second PutMembership: added %v, %v; want false, nil", added, err)
	}
	got := rangeAll(t, s, "alice", []string{"a"}, day(0), day(2))
	if diff := cmp.Diff([]ranged{{0, rec(c)}}, got, opts); diff != "" {
		t.Fatalf("after a repeated put (-want +got):\n%s", diff)
	}
}

func testOneDigest(t *testing.T, s contribution.Store) {
	c := contrib(1, "a", "alice", "", "code", 3, day(1))
	put(t, s, c)
	m := member(1, "alice", "acme", day(0), time.Time{})
	m.Statement = c.Statement
	if added, err := s.PutMembership(context.Background(), m); added || err != nil {
		t.Fatalf("membership under a contribution's digest: added %v, %v; want false, nil", added, err)
	}
	m2 := member(2, "bob", "acme", day(0), time.Time{})
	put(t, s, m2)
	c2 := contrib(2, "a", "bob", "", "code", 1, day(1))
	c2.Statement = m2.Statement
	if added, err := s.PutContribution(context.Background(), c2); added || err != nil {
		t.Fatalf("contribution under a membership's digest: added %v, %v; want false, nil", added, err)
	}
	if _, got := members(t, s, "acme"); len(got) != 1 || got[0].Contributor != "bob" {
		t.Fatalf("memberships in acme = %+v, want bob's alone", got)
	}
}

func testRange(t *testing.T, s contribution.Store) {
	// Out of order on purpose, two at the same instant (ordered by digest),
	// one at each edge of the window, and another contributor.
	cs := []contribution.Contribution{
		contrib(5, "b", "alice", "", "docs", 1, day(3)),
		contrib(3, "a", "alice", "acme", "code", 2, day(2)),
		contrib(2, "a", "alice", "", "code", 3, day(2)),
		contrib(1, "a", "alice", "", "review", 4, day(1)), // at after: excluded
		contrib(4, "a", "alice", "", "code", 5, day(5)),   // at upTo: included
		contrib(6, "a", "alice", "", "code", 6, day(6)),   // after upTo
		contrib(7, "a", "bob", "", "code", 7, day(3)),
		contrib(8, "c", "alice", "", "code", 8, day(3)),
	}
	put(t, s, toAny(cs)...)
	got := rangeAll(t, s, "alice", []string{"b", "zz-unknown", "a"}, day(1), day(5))
	want := []ranged{{0, rec(cs[0])}, {2, rec(cs[2])}, {2, rec(cs[1])}, {2, rec(cs[4])}}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("Range (-want +got):\n%s", diff)
	}
	if got := rangeAll(t, s, "nobody", []string{"a"}, day(0), day(9)); len(got) != 0 {
		t.Fatalf("Range of an unknown contributor = %+v", got)
	}
	if got := rangeAll(t, s, "alice", nil, day(0), day(9)); len(got) != 0 {
		t.Fatalf("Range over no commons = %+v", got)
	}
	if got := rangeAll(t, s, "alice", []string{"a"}, day(5), day(2)); len(got) != 0 {
		t.Fatalf("Range over an empty window = %+v", got)
	}
	// Nanosecond edges: (after, upTo] exactly.
	edge := contrib(9, "e", "carol", "", "code", 1, day(1).Add(time.Nanosecond))
	put(t, s, edge)
	if got := rangeAll(t, s, "carol", []string{"e"}, day(1), day(1).Add(time.Nanosecond)); len(got) != 1 {
		t.Fatalf("a contribution at upTo, 1 ns after after: got %d records, want 1", len(got))
	}
	if got := rangeAll(t, s, "carol", []string{"e"}, day(1).Add(time.Nanosecond), day(2)); len(got) != 0 {
		t.Fatalf("a contribution at after: got %d records, want 0", len(got))
	}
}

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func testRangeMany(t *testing.T, s contribution.Store) {
	cs := []contribution.Contribution{
		contrib(1, "a", "zed", "", "code", 1, day(2)),
		contrib(2, "a", "amy", "", "code", 2, day(3)),
		contrib(3, "b", "amy", "", "docs", 3, day(1)),
		contrib(4, "a", "amy", "x", "docs", 4, day(2)),
		contrib(5, "b", "zed", "", "code", 5, day(4)),
		contrib(6, "c", "amy", "", "code", 6, day(2)), // a commons not asked for
		contrib(7, "a", "bob", "", "code", 7, day(2)), // a contributor not asked for
		contrib(8, "a", "amy", "", "code", 8, day(9)), // outside
		contrib(9, "a", "zed", "", "code", 9, day(0)), // at after: outside
	}
	put(t, s, toAny(cs)...)
	// In the caller's order of contributors, then of commons, then by date;
	// a name listed twice is answered twice, an unknown one not at all.
	got := rangeMany(t, s, []string{"zed", "nobody", "amy", "zed"}, []string{"b", "a"}, day(0), day(5))
	want := []byContributor{
		{"zed", 0, rec(cs[4])}, {"zed", 1, rec(cs[0])},
		{"amy", 0, rec(cs[2])}, {"amy", 1, rec(cs[3])}, {"amy", 1, rec(cs[1])},
		{"zed", 0, rec(cs[4])}, {"zed", 1, rec(cs[0])},
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("RangeMany (-want +got):\n%s", diff)
	}
	if got := rangeMany(t, s, nil, []string{"a"}, day(0), day(9)); len(got) != 0 {
		t.Fatalf("RangeMany of no contributors = %+v", got)
	}
	if got := rangeMany(t, s, []string{"amy"}, []string{"a", "zz-unknown", "a"}, day(2), day(3)); len(got) != 2 || got[0].Commons != 0 || got[1].Commons != 2 {
		t.Fatalf("RangeMany with a commons listed twice = %+v, want cs[1] at 0 and at 2", got)
	}
}

func testRangeCommons(t *testing.T, s contribution.Store) {
	cs := []contribution.Contribution{
		contrib(1, "a", "zed", "", "code", 1, day(2)),
		contrib(2, "a", "amy", "", "code", 2, day(3)),
		contrib(3, "a", "Bob", "", "code", 3, day(1)), // upper case sorts first, bytewise
		contrib(4, "a", "amy", "x", "docs", 4, day(2)),
		contrib(5, "a", "amy", "", "docs", 5, day(2)),
		contrib(6, "b", "amy", "", "code", 6, day(2)),
		contrib(7, "a", "ämy", "", "code", 7, day(2)), // non-ASCII after every ASCII letter
		contrib(8, "a", "amy", "", "code", 8, day(9)), // outside
	}
	put(t, s, toAny(cs)...)
	got := rangeCommons(t, s, "a", day(0), day(5))
	want := []byCommons{{"Bob", rec(cs[2])}, {"amy", rec(cs[3])}, {"amy", rec(cs[4])}, {"amy", rec(cs[1])}, {"zed", rec(cs[0])}, {"ämy", rec(cs[6])}}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Fatalf("RangeCommons (-want +got):\n%s", diff)
	}
	if got := rangeCommons(t, s, "none", day(0), day(9)); len(got) != 0 {
		t.Fatalf("RangeCommons of an unknown commons = %+v", got)
	}
}

func testCallbackError(t *testing.T, s contribution.Store) {
	put(t, s, contrib(1, "a", "alice", "", "code", 1, day(1)), contrib(2, "a", "alice", "", "code", 1, day(2)))
	stop := errors.New("stop")
	n := 0
	err := s.RangeMany(context.Background(), []string{"alice", "alice"}, []string{"a"}, day(0), day(9), func(string, int, contribution.Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("RangeMany with a failing callback: %v after %d calls; want stop after 1", err, n)
	}
	n = 0
	err = s.RangeCommons(context.Background(), "a", day(0), day(9), func(string, contribution.Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("RangeCommons with a failing callback: %v after %d calls; want stop after 1", err, n)
	}
}

func testMemberships(t *testing.T, s contribution.Store) {
	ms := []contribution.Membership{
		member(1, "bob", "acme", day(5), time.Time{}),
		member(2, "alice", "acme", day(3), day(9)),
		member(3, "alice", "acme", day(1), day(2)),
		member(4, "alice", "beta", day(0), time.Time{}),
		member(5, "alice", "acme", day(1), day(4)), // same start: by digest
	}
	ms[4].Role = "maintainer"
	put(t, s, toAny(ms)...)
	carol := member(6, "carol", "coop", day(0), time.Time{}) // no membership in acme
	put(t, s, carol)
	all, in := members(t, s, "acme")
	if diff := cmp.Diff([]contribution.Membership{ms[2], ms[4], ms[1], ms[3], ms[0]}, all, opts); diff != "" {
		t.Fatalf("MembershipsOfMembers(acme) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]contribution.Membership{ms[2], ms[4], ms[1], ms[0]}, in, opts); diff != "" {
		t.Fatalf("memberships in acme (-want +got):\n%s", diff)
	}
	all, _ = members(t, s, "beta")
	if diff := cmp.Diff([]contribution.Membership{ms[2], ms[4], ms[1], ms[3]}, all, opts); diff != "" {
		t.Fatalf("MembershipsOfMembers(beta) (-want +got):\n%s", diff)
	}
	if all, _ := members(t, s, "nobody"); len(all) != 0 {
		t.Fatalf("MembershipsOfMembers of an unknown entity = %+v", all)
	}
}

func testRemove(t *testing.T, s contribution.Store) {
	c1, c2 := contrib(1, "a", "alice", "", "code", 1, day(1)), contrib(2, "a", "alice", "", "code", 2, day(2))
	m := member(1, "alice", "acme", day(0), time.Time{})
	put(t, s, c1, c2, m)
	for _, d := range []string{c1.Statement, m.Statement} {
		if ok, err := s.Remove(context.Background(), d); !ok || err != nil {
			t.Fatalf("Remove(%s) = %v, %v; want true", d, ok, err)
		}
		if ok, err := s.Remove(context.Background(), d); ok || err != nil {
			t.Fatalf("second Remove(%s) = %v, %v; want false", d, ok, err)
		}
	}
	if ok, err := s.Remove(context.Background(), digest("f", 1)); ok || err != nil {
		t.Fatalf("Remove of an unknown digest = %v, %v", ok, err)
	}
	if diff := cmp.Diff([]ranged{{0, rec(c2)}}, rangeAll(t, s, "alice", []string{"a"}, day(0), day(9)), opts); diff != "" {
		t.Fatalf("Range after Remove (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]byCommons{{"alice", rec(c2)}}, rangeCommons(t, s, "a", day(0), day(9)), opts); diff != "" {
		t.Fatalf("RangeCommons after Remove (-want +got):\n%s", diff)
	}
	if all, _ := members(t, s, "acme"); len(all) != 0 {
		t.Fatalf("MembershipsOfMembers after Remove = %+v", all)
	}
	// A removed digest may be put again.
	put(t, s, c1)
	if got := rangeAll(t, s, "alice", []string{"a"}, day(0), day(9)); len(got) != 2 {
		t.Fatalf("Range after putting a removed digest back: %d records, want 2", len(got))
	}
}

// testConcurrent: writers racing on overlapping digests; each digest is
// added exactly once, and the store ends up holding exactly the union.
func testConcurrent(t *testing.T, s contribution.Store) {
	const writers, each = 4, 40
	var mu sync.Mutex
	adds := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := (w*each/2 + i) % (writers * each / 2) // half overlaps the next writer
				var added bool
				var err error
				if n%5 == 0 {
					added, err = s.PutMembership(context.Background(), member(n, fmt.Sprintf("p%02d", n%7), "acme", day(n%3), time.Time{}))
				} else {
					added, err = s.PutContribution(context.Background(), contrib(n, "a", fmt.Sprintf("p%02d", n%7), "", "code", int64(n), day(n%30+1)))
				}
				if err != nil {
					errs <- err
					return
				}
				if added {
					mu.Lock()
					adds[fmt.Sprint(n)]++
					mu.Unlock()
				}
				if i%10 == 9 {
					if _, err := s.MembershipsOfMembers(context.Background(), "acme"); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := writers * each / 2
	if len(adds) != total {
		t.Fatalf("%d distinct digests added, want %d", len(adds), total)
	}
	for n, k := range adds {
		if k != 1 {
			t.Fatalf("digest %s added %d times", n, k)
		}
	}
	got := rangeCommons(t, s, "a", day(0), day(40))
	_, ms := members(t, s, "acme")
	if len(got)+len(ms) != total {
		t.Fatalf("store holds %d contributions and %d memberships, want %d in all", len(got), len(ms), total)
	}
}

// storeOnly hides every method of a store but the Store interface's.
type storeOnly struct{ contribution.Store }

// testLedger: random data, the same into a MemStore and into the store
// under test, then many queries; every answer must be equal.
func testLedger(t *testing.T, newStore func(t *testing.T) contribution.Store) {
	rng := rand.New(rand.NewPCG(17, 42))
	// Both ledgers sum through the Store methods alone: a Ledger over a
	// *MemStore answers from its prefix sums instead, whose rounding
	// differs within a documented bound (contribution's
	// TestPrefixMatchesDirect); what this suite holds a store to is the
	// answers of the Store interface.
	mem, other := contribution.NewLedger(storeOnly{contribution.NewMemStore()}), contribution.NewLedger(storeOnly{newStore(t)})
	commons := []contribution.Commons{
		{ID: "a", Recognises: []contribution.Recognition{{Commons: "b", Weight: 500}, {Commons: "c", Weight: 2000}}},
		{ID: "b"}, {ID: "c"},
	}
	for _, l := range []*contribution.Ledger{mem, other} {
		for _, c := range commons {
			if err := l.AddCommons(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	people := []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"}
	entities := []string{"acme", "beta", "coop"}
	kinds := []string{"code", "docs", "review"}
	var items []any
	for i := range 40 {
		from := day(rng.IntN(200))
		var until time.Time
		if rng.IntN(2) == 0 {
			until = from.AddDate(0, 0, 1+rng.IntN(200))
		}
		items = append(items, member(i, people[rng.IntN(len(people))], entities[rng.IntN(len(entities))], from, until))
	}
	for i := range 600 {
		entity := ""
		if rng.IntN(4) == 0 {
			entity = entities[rng.IntN(len(entities))]
		}
		at := day(rng.IntN(400)).Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		items = append(items, contrib(i, commons[rng.IntN(len(commons))].ID, people[rng.IntN(len(people))], entity,
			kinds[rng.IntN(len(kinds))], 1+rng.Int64N(50), at))
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	for _, l := range []*contribution.Ledger{mem, other} {
		for _, it := range items {
			var err error
			switch v := it.(type) {
			case contribution.Contribution:
				_, err = l.AddContribution(context.Background(), v)
			case contribution.Membership:
				_, err = l.AddMembership(context.Background(), v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// Remove a few, the same in both.
	for _, it := range items[:20] {
		d := ""
		switch v := it.(type) {
		case contribution.Contribution:
			d = v.Statement
		case contribution.Membership:
			d = v.Statement
		}
		a, errA := mem.Revoke(context.Background(), d)
		b, errB := other.Revoke(context.Background(), d)
		if a != b || errA != nil || errB != nil {
			t.Fatalf("Revoke(%s): mem %v %v, store %v %v", d, a, errA, b, errB)
		}
	}
	for i := range 60 {
		q := contribution.Query{Entity: entities[i%len(entities)], Commons: "a", At: day(50 + rng.IntN(400))}
		if i%2 == 0 {
			q.Recognised = commons[0].RecognisedWeights()
		}
		if i%3 != 0 {
			q.Window = time.Duration(30+rng.IntN(300)) * 24 * time.Hour
		}
		if i%4 != 0 {
			q.HalfLife = time.Duration(10+rng.IntN(100)) * 24 * time.Hour
		}
		if i%5 == 0 {
			q.KindWeights = map[string]int64{"code": 1000, "docs": 500}
		}
		want, err := mem.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := other.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Fatalf("Reciprocity(%+v) (-MemStore +store):\n%s", q, diff)
		}
		if i%6 == 0 {
			pq := q
			pq.Entity = ""
			wantP, wantT, err := mem.ContributorPoints(context.Background(), pq)
			if err != nil {
				t.Fatal(err)
			}
			gotP, gotT, err := other.ContributorPoints(context.Background(), pq)
			if err != nil {
				t.Fatal(err)
			}
			if wantT != gotT || !slices.Equal(wantP, gotP) {
				t.Fatalf("ContributorPoints(%+v): MemStore %v %v, store %v %v", pq, wantT, wantP, gotT, gotP)
			}
		}
	}
}

// testCancelled: a cancelled context fails every call with an error that
// is context.Canceled, and a write under it stores nothing.
func testCancelled(t *testing.T, s contribution.Store) {
	kept := contrib(1, "a", "alice", "", "code", 1, day(1))
	put(t, s, kept, member(1, "alice", "acme", day(0), time.Time{}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(call string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s under a cancelled context: %v, want context.Canceled", call, err)
		}
	}
	_, err := s.PutContribution(ctx, contrib(2, "a", "alice", "", "code", 1, day(2)))
	check("PutContribution", err)
	_, err = s.PutMembership(ctx, member(2, "alice", "beta", day(0), time.Time{}))
	check("PutMembership", err)
	_, err = s.Remove(ctx, kept.Statement)
	check("Remove", err)
	_, err = s.MembershipsOfMembers(ctx, "acme")
	check("MembershipsOfMembers", err)
	n := 0
	check("RangeMany", s.RangeMany(ctx, []string{"alice"}, []string{"a"}, day(0), day(9), func(string, int, contribution.Record) error { n++; return nil }))
	check("RangeCommons", s.RangeCommons(ctx, "a", day(0), day(9), func(string, contribution.Record) error { n++; return nil }))
	if n != 0 {
		t.Errorf("%d callbacks under a cancelled context", n)
	}
	if got := rangeCommons(t, s, "a", day(0), day(9)); len(got) != 1 || got[0].R.Statement != kept.Statement {
		t.Errorf("after cancelled writes the store holds %+v, want the one contribution put before", got)
	}
	if all, _ := members(t, s, "alice-none"); len(all) != 0 {
		t.Errorf("memberships appeared: %+v", all)
	}
	if all, _ := members(t, s, "beta"); len(all) != 0 {
		t.Errorf("a membership put under a cancelled context was stored: %+v", all)
	}
}

// counting passes calls through to a Store and counts them by method: for
// a database store each is one round trip.
type counting struct {
	s     contribution.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *counting) count(m string) {
	c.mu.Lock()
	c.calls[m]++
	c.mu.Unlock()
}

func (c *counting) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = map[string]int{}
	return out
}

func (c *counting) PutContribution(ctx context.Context, x contribution.Contribution) (bool, error) {
	c.count("PutContribution")
	return c.s.PutContribution(ctx, x)
}

func (c *counting) PutMembership(ctx context.Context, m contribution.Membership) (bool, error) {
	c.count("PutMembership")
	return c.s.PutMembership(ctx, m)
}

func (c *counting) Remove(ctx context.Context, d string) (bool, error) {
	c.count("Remove")
	return c.s.Remove(ctx, d)
}

func (c *counting) MembershipsOfMembers(ctx context.Context, e string) ([]contribution.Membership, error) {
	c.count("MembershipsOfMembers")
	return c.s.MembershipsOfMembers(ctx, e)
}

func (c *counting) RangeMany(ctx context.Context, who, commons []string, after, upTo time.Time, fn func(string, int, contribution.Record) error) error {
	c.count("RangeMany")
	return c.s.RangeMany(ctx, who, commons, after, upTo, fn)
}

func (c *counting) RangeCommons(ctx context.Context, commons string, after, upTo time.Time, fn func(string, contribution.Record) error) error {
	c.count("RangeCommons")
	return c.s.RangeCommons(ctx, commons, after, upTo, fn)
}

// testQuoteCalls: a Ledger over the store asks it a constant number of
// times per question, whatever the entity's member count: a reciprocity
// answer and FallsBelow are one MembershipsOfMembers and one RangeMany, a
// payout's ContributorPoints one RangeCommons per commons counted.
func testQuoteCalls(t *testing.T, newStore func(t *testing.T) contribution.Store) {
	ctx := context.Background()
	cs := &counting{s: newStore(t), calls: map[string]int{}}
	l := contribution.NewLedger(cs)
	for _, c := range []contribution.Commons{{ID: "a", Recognises: []contribution.Recognition{{Commons: "b", Weight: 500}}}, {ID: "b"}} {
		if err := l.AddCommons(c); err != nil {
			t.Fatal(err)
		}
	}
	sizes := []int{1, 10, 60}
	n := 0
	for _, size := range sizes {
		for i := range size {
			who := fmt.Sprintf("e%d-p%02d", size, i)
			n++
			if _, err := l.AddMembership(ctx, member(n, who, fmt.Sprintf("e%d", size), day(0), time.Time{})); err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 { // some split their undirected contributions
				n++
				if _, err := l.AddMembership(ctx, member(n, who, "other", day(0), time.Time{})); err != nil {
					t.Fatal(err)
				}
			}
			for k, com := range []string{"a", "b", "a"} {
				n++
				if _, err := l.AddContribution(ctx, contrib(n, com, who, "", "code", int64(1+k), day(1+k+i%5))); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	one := map[string]int{"MembershipsOfMembers": 1, "RangeMany": 1}
	for _, size := range sizes {
		q := contribution.Query{Entity: fmt.Sprintf("e%d", size), Commons: "a", Recognised: map[string]int64{"a": 1000, "b": 500},
			At: day(30), Window: 365 * 24 * time.Hour, HalfLife: 90 * 24 * time.Hour}
		cs.take()
		r, err := l.Reciprocity(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.ByMember) != size {
			t.Fatalf("entity of %d: %d members counted", size, len(r.ByMember))
		}
		if diff := cmp.Diff(one, cs.take()); diff != "" {
			t.Errorf("Reciprocity for %d members: calls (-want +got):\n%s", size, diff)
		}
		if _, _, err := l.FallsBelow(ctx, q, r.Total); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, cs.take()); diff != "" {
			t.Errorf("FallsBelow for %d members: calls (-want +got):\n%s", size, diff)
		}
		if _, _, err := l.CountedStatements(ctx, q, 0, 5); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, cs.take()); diff != "" {
			t.Errorf("CountedStatements for %d members: calls (-want +got):\n%s", size, diff)
		}
	}
	q := contribution.Query{Commons: "a", Recognised: map[string]int64{"a": 1000, "b": 500}, At: day(30)}
	if _, _, err := l.ContributorPoints(ctx, q); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"RangeCommons": 2}, cs.take()); diff != "" {
		t.Errorf("ContributorPoints over 2 commons: calls (-want +got):\n%s", diff)
	}
}
