package contribution

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// memberBound is how far the entity index's total may lie above the sum of
// the members' parts judged by pq: each of pq's ranges rounds down once a
// block of the grid and once for its split, by less than a unit (2^-24
// thousandths) each, which its cell's weights then scale; each cell rounds
// down once a weight.
func memberBound(pq *prefixQuery) uint64 {
	var b uint64
	for _, rg := range pq.ranges {
		c := &pq.cells[rg.cell]
		b += uint64(len(rg.g.blocks)+1) * (1 + c.kw*c.rw/1_000_000)
	}
	for _, c := range pq.cells {
		b += 2 + c.rw/1000
	}
	return b
}

// TestEntityIndexMatchesMembers holds the entity index to the per-member
// prefix sums on random ledgers (memberships with periods, several
// entities splitting contributions that name none, decay, windows,
// weights, revocations after the sums were built, out-of-order ingest), at
// the query's instant and later ones as the crossing probes them: the same
// contributions counted, the same earliest date, and a total never below
// the members' parts and above them by no more than memberBound.
func TestEntityIndexMatchesMembers(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 3))
	differ, nonzero := 0, 0
	var widest uint64
	for trial := range 1000 {
		l, _, q := randomLedgers(t, rng)
		ms := l.store.(*MemStore)
		comIDs, weights := recognisedIDs(q)
		cutoff := q.At.UnixNano()
		ms.mu.RLock()
		idx := ms.resolveLocked(comIDs)
		pq := &prefixQuery{q: q, comIDs: comIDs, weights: weights, kindNames: ms.names}
		ms.prefixRanges(pq, idx, cutoff, cutoff)
		var ep entityPlan
		ms.entityIndex(q.Entity, int64(q.HalfLife)).plan(&ep, q, idx, weights, ms.names, cutoff)
		ms.mu.RUnlock()
		for probe := range 4 {
			at := cutoff
			if probe > 0 {
				at += rng.Int64N(int64(200 * dayDur))
			}
			if err := pq.evalAt(at); err != nil {
				t.Fatal(err)
			}
			z, top, first, count, err := ep.evalAt(at)
			if err != nil {
				t.Fatal(err)
			}
			if count != pq.count || top != pq.top || (count > 0 && first != pq.first) {
				t.Fatalf("trial %d, %+v at %d: index counts %d from %d (block %d), members %d from %d (block %d)",
					trial, q, at, count, first, top, pq.count, pq.first, pq.top)
			}
			below := z.hi < pq.z.hi || (z.hi == pq.z.hi && z.lo < pq.z.lo)
			d := z.sub(pq.z)
			if below || d.hi != 0 || d.lo > memberBound(pq) {
				t.Fatalf("trial %d, %+v at %d: index %v, members %v, bound %d", trial, q, at, z, pq.z, memberBound(pq))
			}
			widest = max(widest, d.lo)
			if z != pq.z {
				differ++
			}
			if z != (u128{}) {
				nonzero++
			}
		}
	}
	t.Logf("%d of 4000 totals differ from the members' sum, by at most %d units of 2^-24 thousandths", differ, widest)
	if nonzero < 1500 || differ == 0 {
		t.Fatalf("%d totals had points, %d differed: the comparison tests little", nonzero, differ)
	}
}

// TestEntityIndexFollowsChanges: an index built by a query is dropped by
// every change that moves the entity's total — a member's contribution
// added (in or out of date order) or revoked, a membership in the entity
// added or revoked, and a membership of a member in another entity, which
// changes how the member's contributions naming no entity are split — so
// each answer is that of a ledger that never saw the changes before it.
func TestEntityIndexFollowsChanges(t *testing.T) {
	q := Query{Entity: "acme", Commons: "a", At: day(100), HalfLife: 30 * dayDur, Window: 200 * dayDur}
	const threshold = 2 * Unit
	var applied []any
	var revoked []string
	fresh := func() (Points, time.Time) {
		l := newTestLedger(t)
		for _, it := range applied {
			if c, ok := it.(Contribution); ok && contains(revoked, c.Statement) {
				continue
			}
			if m, ok := it.(Membership); ok && contains(revoked, m.Statement) {
				continue
			}
			mustAdd(t, l, it)
		}
		r, err := l.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		at, _, err := l.FallsBelow(context.Background(), q, threshold)
		if err != nil {
			t.Fatal(err)
		}
		return r.Total, at
	}
	l := newTestLedger(t)
	step := func(what string) {
		t.Helper()
		wantTotal, wantAt := fresh()
		r, err := l.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		at, _, err := l.FallsBelow(context.Background(), q, threshold)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != wantTotal || !at.Equal(wantAt) {
			t.Fatalf("%s: total %s, below from %s; a fresh ledger says %s, %s", what, r.Total, at, wantTotal, wantAt)
		}
	}
	add := func(what string, it any) {
		t.Helper()
		mustAdd(t, l, it)
		applied = append(applied, it)
		step(what)
	}
	revoke := func(what, stmt string) {
		t.Helper()
		if ok, err := l.Revoke(context.Background(), stmt); !ok || err != nil {
			t.Fatal(ok, err)
		}
		revoked = append(revoked, stmt)
		step(what)
	}
	alice := member("alice", "acme", day(-100), time.Time{})
	add("member", alice)
	c1 := contrib("a", "alice", "", "code", 5, day(40))
	add("contribution", c1)
	add("appended", contrib("a", "alice", "", "code", 7, day(60)))
	add("out of order", contrib("a", "alice", "acme", "docs", 3, day(20)))
	other := member("alice", "other", day(0), time.Time{})
	add("member elsewhere", other)
	bob := member("bob", "acme", day(-100), day(50))
	add("bob, before his contributions", bob)
	add("bob's contribution", contrib("b", "bob", "", "code", 9, day(30)))
	revoke("membership elsewhere revoked", other.Statement)
	revoke("contribution revoked", c1.Statement)
	revoke("bob's membership revoked", bob.Statement)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestEntityIndexAppends: contributions ingested after an index was built,
// mostly in date order (appended to the index) and now and then out of it
// (which drops it), leave the cached index equal to one built afresh from
// the final ledger, entry for entry.
func TestEntityIndexAppends(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 4))
	appended := 0
	for trial := range 300 {
		l := newTestLedger(t)
		people := []string{"p1", "p2", "p3"}
		for _, who := range people {
			for _, ent := range []string{"acme", "beta"} {
				if rng.IntN(3) != 0 {
					until := time.Time{}
					if rng.IntN(3) == 0 {
						until = day(rng.IntN(200))
					}
					mustAdd(t, l, member(who, ent, day(rng.IntN(100)-100), until))
				}
			}
		}
		q := Query{Entity: "acme", Commons: "a", At: day(300), Recognised: map[string]int64{"a": 1000, "b": 500}}
		if rng.IntN(2) == 0 {
			q.HalfLife = time.Duration(1 + rng.Int64N(int64(60*dayDur)))
		}
		ms := l.store.(*MemStore)
		cached := func() *entityIndex {
			ms.eidx.mu.Lock()
			defer ms.eidx.mu.Unlock()
			for _, ei := range ms.eidx.m["acme"] {
				if ei.halfLife == int64(q.HalfLife) {
					return ei
				}
			}
			return nil
		}
		at := day(-50)
		for n := range 40 {
			if n%10 == 0 {
				if _, err := l.Reciprocity(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			when := at.Add(time.Duration(rng.Int64N(int64(3 * dayDur))))
			if rng.IntN(10) == 0 {
				when = day(rng.IntN(250) - 50) // out of order, now and then
			}
			if when.After(at) {
				at = when
			}
			ent := []string{"", "", "acme", "beta"}[rng.IntN(4)]
			before := cached()
			mustAdd(t, l, contrib([]string{"a", "b"}[rng.IntN(2)], people[rng.IntN(3)], ent, []string{"code", "docs"}[rng.IntN(2)], 1+rng.Int64N(9), when))
			if before != nil && cached() == before {
				appended++
			}
		}
		got := cached()
		if got == nil {
			continue
		}
		ms.mu.RLock()
		want := ms.buildEntityIndex("acme", int64(q.HalfLife))
		ms.mu.RUnlock()
		if !reflect.DeepEqual(got.groups, want.groups) {
			t.Fatalf("trial %d: the index appended to differs from one built afresh:\n%+v\n%+v", trial, got.groups, want.groups)
		}
	}
	if appended < 1000 {
		t.Fatalf("only %d contributions appended to a cached index: the test tests little", appended)
	}
	t.Logf("%d contributions appended to cached indexes", appended)
}
