package contribution

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// randomLedgers feeds the same random contributions, memberships and
// revocations, in a shuffled order, to a prefix-sum ledger and a
// direct-sum one, and returns a random query about them.
func randomLedgers(t *testing.T, rng *rand.Rand) (prefix, direct *Ledger, q Query) {
	t.Helper()
	prefix, direct = newTestLedger(t), newDirectLedger(t)
	people := []string{"p1", "p2", "p3"}
	entities := []string{"acme", "beta", "coop"}
	var items []any
	for _, who := range people {
		for _, ent := range entities {
			if rng.IntN(2) == 0 {
				from := day(rng.IntN(400) - 300)
				until := time.Time{}
				if rng.IntN(3) == 0 {
					until = from.Add(time.Duration(1+rng.IntN(300)) * dayDur)
				}
				items = append(items, member(who, ent, from, until))
			}
		}
	}
	n := 1 + rng.IntN(60)
	for range n {
		ent := ""
		if rng.IntN(4) == 0 {
			ent = entities[rng.IntN(len(entities))]
		}
		c := contrib([]string{"a", "b", "c", "d"}[rng.IntN(4)], people[rng.IntN(len(people))], ent,
			[]string{"code", "docs", "review"}[rng.IntN(3)], 0, day(rng.IntN(400)-300).Add(time.Duration(rng.Int64N(int64(dayDur)))))
		// Quantities from a thousandth to a million units.
		c.Quantity = Quantity(1 + rng.Int64N([]int64{1000, 100_000, 1_000_000_000}[rng.IntN(3)]))
		items = append(items, c)
	}
	rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	q = Query{Entity: entities[rng.IntN(len(entities))], Commons: "a", At: day(rng.IntN(120)), Recognised: map[string]int64{"a": 1000, "b": 500, "c": 2000}}
	// A query before ingest ends builds prefix sums that later ingest must drop.
	half := len(items) / 2
	for _, l := range []*Ledger{prefix, direct} {
		mustAdd(t, l, items[:half]...)
	}
	if _, err := prefix.Reciprocity(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*Ledger{prefix, direct} {
		mustAdd(t, l, items[half:]...)
	}
	if rng.IntN(2) == 0 {
		q.Window = time.Duration(1+rng.IntN(300)) * dayDur
	}
	if rng.IntN(3) != 0 {
		q.HalfLife = time.Duration(1 + rng.Int64N(int64(90*dayDur))) // not a whole number of days
	}
	if rng.IntN(2) == 0 {
		q.KindWeights = map[string]int64{"code": 1500, "docs": 250, "review": int64(rng.IntN(1001))}
	}
	if _, err := prefix.Reciprocity(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	// Revocations after the sums were built.
	for _, it := range items {
		if rng.IntN(8) != 0 {
			continue
		}
		var stmt string
		switch v := it.(type) {
		case Contribution:
			stmt = v.Statement
		case Membership:
			stmt = v.Statement
		}
		for _, l := range []*Ledger{prefix, direct} {
			if ok, err := l.Revoke(context.Background(), stmt); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
	}
	return prefix, direct, q
}

// directBound is how far the direct sum may lie from the prefix sums'
// answer, as the package doc states it: the direct sum rounds each of n
// contributions down (after each weight, the decay and the split, by at
// most 3 + r/1000 thousandths with r the largest recognition weight) and
// takes the decay's exponent to 16 bits (at most 1/94,000 of the total
// above the exact value), the prefix sums are within 1 + n/2^20 of it below
// and 2^-12 above.
func directBound(n int, total Points, maxRecognised int64) (below, above Points) {
	return Points(int64(n)*(3+maxRecognised/1000) + 1), total/94_000 + Points(n) + 2
}

func TestPrefixMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 1))
	differ, nonzero := 0, 0
	for trial := range 1000 {
		prefix, direct, q := randomLedgers(t, rng)
		for probe := range 4 {
			if probe > 0 {
				q.At = q.At.Add(time.Duration(rng.Int64N(int64(60 * dayDur))))
			}
			got, err1 := prefix.Reciprocity(context.Background(), q)
			want, err2 := direct.Reciprocity(context.Background(), q)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			// The direct sum lists, at 0 points, contributions 63 or more
			// half-lives old; the prefix sums leave them out.
			worth := slices.DeleteFunc(slices.Clone(want.ByStatement), func(s Share) bool {
				return s.Points == 0 && !slices.ContainsFunc(got.ByStatement, func(g Share) bool { return g.Key == s.Key })
			})
			if got.Statements != len(got.ByStatement) || !slices.EqualFunc(got.ByStatement, worth, func(a, b Share) bool { return a.Key == b.Key }) {
				t.Fatalf("trial %d: statements %v, direct sum %v", trial, got.ByStatement, want.ByStatement)
			}
			below, above := directBound(want.Statements, max(got.Total, want.Total), 2000)
			if d := want.Total - got.Total; d < -below || d > above {
				t.Fatalf("trial %d, %+v: prefix sums %s, direct sum %s: outside -%s..%s", trial, q, got.Total, want.Total, below, above)
			}
			if got.Total != want.Total {
				differ++
			}
			if got.Total > 0 {
				nonzero++
			}
			checkBreakdowns(t, got)
		}
	}
	t.Logf("%d of 4000 answers differ from the direct sum (within the bound); %d have points", differ, nonzero)
	if nonzero < 1500 {
		t.Fatalf("only %d answers had points: the comparison tests little", nonzero)
	}
}

func checkBreakdowns(t *testing.T, r Reciprocity) {
	t.Helper()
	for _, b := range [][]Share{r.ByCommons, r.ByMember, r.ByKind, r.ByStatement} {
		var s Points
		for _, sh := range b {
			s += sh.Points
		}
		if s != r.Total {
			t.Fatalf("breakdown %v sums to %s, not %s", b, s, r.Total)
		}
	}
}

// bisectPrefix is the reference for the computed crossing: the old
// bisection on nanoseconds, probing the prefix sums afresh at every
// instant (each probe rebuilds the whole answer, no pieces).
func bisectPrefix(t *testing.T, l *Ledger, q Query, threshold Points) (time.Time, bool) {
	ms := l.store.(*MemStore)
	c := crossing{q: q, ms: ms, cutoff: q.At.UnixNano(), thr: int64(threshold)}
	c.comIDs, c.weights = recognisedIDs(q)
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	c.idx = ms.resolveLocked(c.comIDs)
	at, ok, err := bisectBelow(q, func(at time.Time) (bool, error) {
		pq := &prefixQuery{q: q, comIDs: c.comIDs, weights: c.weights, kindNames: ms.names}
		if err := ms.prefixRun(pq, c.idx, c.cutoff, at.UnixNano()); err != nil {
			return false, err
		}
		r, err := pq.result(at.UnixNano(), false)
		return r.Total < threshold, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return at, ok
}

func TestCrossingMatchesBisection(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 2))
	found := 0
	for trial := range 1000 {
		l, _, q := randomLedgers(t, rng)
		r, err := l.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		threshold := Points(rng.Int64N(int64(r.Total) + 2))
		if rng.IntN(10) == 0 {
			threshold = r.Total + 1
		}
		got, ok, err := l.FallsBelow(context.Background(), q, threshold)
		if err != nil {
			t.Fatal(err)
		}
		want, wantOK := bisectPrefix(t, l, q, threshold)
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("trial %d, %+v, threshold %s (total %s): crossing %s %v, bisection %s %v", trial, q, threshold, r.Total, got, ok, want, wantOK)
		}
		if ok && got.After(q.At) {
			found++
		}
	}
	if found < 300 {
		t.Fatalf("only %d crossings after At: the comparison tests little", found)
	}
}

// TestPrefixSumsFollowChanges: sums built by a query are dropped when a
// contribution in their series is added (in or out of date order) or
// revoked, so the next answer is that of a ledger that never saw the
// change.
func TestPrefixSumsFollowChanges(t *testing.T) {
	q := Query{Entity: "acme", Commons: "a", At: day(100), HalfLife: 30 * dayDur, Window: 90 * dayDur}
	m := member("alice", "acme", day(-100), time.Time{})
	cs := []Contribution{contrib("a", "alice", "", "code", 5, day(20)), contrib("a", "alice", "", "code", 7, day(40)), contrib("a", "alice", "", "docs", 3, day(60))}
	fresh := func(cs ...Contribution) Points {
		l := newTestLedger(t)
		mustAdd(t, l, m)
		for _, c := range cs {
			mustAdd(t, l, c)
		}
		r, err := l.Reciprocity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	l := newTestLedger(t)
	mustAdd(t, l, m, cs[1])
	step := func(what string, want Points) {
		t.Helper()
		r, err := l.Reciprocity(context.Background(), q)
		if err != nil || r.Total != want {
			t.Fatalf("%s: %s (%v), want %s", what, r.Total, err, want)
		}
	}
	step("one", fresh(cs[1]))
	mustAdd(t, l, cs[2])
	step("appended", fresh(cs[1], cs[2]))
	mustAdd(t, l, cs[0])
	step("out of order", fresh(cs...))
	if ok, _ := l.Revoke(context.Background(), cs[1].Statement); !ok {
		t.Fatal("not revoked")
	}
	step("revoked", fresh(cs[0], cs[2]))
	if ok, _ := l.Revoke(context.Background(), cs[0].Statement); !ok {
		t.Fatal("not revoked")
	}
	if ok, _ := l.Revoke(context.Background(), cs[2].Statement); !ok {
		t.Fatal("not revoked")
	}
	step("all revoked", 0)
}

// TestMaxStatements: a bound on the listed statements keeps ByStatement
// out of a large answer, Statements still counts them, and
// CountedStatements pages through the same list an unbounded answer gives.
func TestMaxStatements(t *testing.T) {
	l := newTestLedger(t)
	mustAdd(t, l, member("alice", "acme", day(-100), time.Time{}))
	for i := range 25 {
		mustAdd(t, l, contrib("a", "alice", "", "code", int64(i+1), day(i)))
	}
	q := Query{Entity: "acme", Commons: "a", At: day(30), HalfLife: 10 * dayDur}
	all, err := l.Reciprocity(context.Background(), q)
	if err != nil || len(all.ByStatement) != 25 || all.Statements != 25 {
		t.Fatal(err, all)
	}
	q.MaxStatements = 10
	short, err := l.Reciprocity(context.Background(), q)
	if err != nil || short.ByStatement != nil || short.Statements != 25 || short.Total != all.Total {
		t.Fatalf("bounded: %+v %v", short, err)
	}
	var paged []Share
	for off := 0; ; off += 10 {
		page, n, err := l.CountedStatements(context.Background(), q, off, 10)
		if err != nil || n != 25 {
			t.Fatal(err, n)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
	}
	if !slices.Equal(paged, all.ByStatement) {
		t.Fatalf("pages %v, unbounded %v", paged, all.ByStatement)
	}
	q.MaxStatements = 25
	if r, _ := l.Reciprocity(context.Background(), q); len(r.ByStatement) != 25 {
		t.Fatalf("at the bound: %d listed", len(r.ByStatement))
	}
	if _, _, err := l.CountedStatements(context.Background(), q, -1, 0); err == nil {
		t.Fatal("negative offset accepted")
	}
	q.MaxStatements = -1
	if _, err := l.Reciprocity(context.Background(), q); err == nil {
		t.Fatal("negative bound accepted")
	}
}

func ExampleLedger_CountedStatements() {
	l := NewLedger(nil)
	_ = l.AddCommons(Commons{ID: "web"})
	_, _ = l.AddMembership(context.Background(), Membership{Contributor: "alice", Entity: "acme", From: t0, Statement: "sha256:m"})
	for i := range 3 {
		_, _ = l.AddContribution(context.Background(), Contribution{Commons: "web", Contributor: "alice", Kind: "code", Quantity: Quantity(1000 * (i + 1)), At: t0.Add(time.Duration(i) * time.Hour), Statement: fmt.Sprintf("sha256:c%d", i)})
	}
	q := Query{Entity: "acme", Commons: "web", At: t0.Add(24 * time.Hour), MaxStatements: 2}
	r, _ := l.Reciprocity(context.Background(), q)
	fmt.Println(r.Total, r.Statements, len(r.ByStatement))
	page, n, _ := l.CountedStatements(context.Background(), q, 1, 2)
	fmt.Println(n, page)
	// Output:
	// 6.000 3 0
	// 3 [{sha256:c1 2.000} {sha256:c2 3.000}]
}
