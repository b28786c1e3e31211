package contribution

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReciprocityTable(t *testing.T) {
	always := day(-1000)
	tests := []struct {
		name  string
		items []any
		q     Query
		want  Points
	}{
		{"no members", []any{contrib("a", "alice", "", "code", 5, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 0},
		{"member, unnamed, one entity", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 5, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 5000},
		{"dated after At never counts", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 5, day(11))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 0},
		{"dated exactly At counts", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 5, day(10))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 5000},
		{"window excludes its start", []any{member("alice", "acme", always, time.Time{}),
			contrib("a", "alice", "", "code", 5, day(0)), contrib("a", "alice", "", "code", 7, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10), Window: 10 * dayDur}, 7000},
		{"window 0 is unbounded", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 5, day(-900))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 5000},
		{"one half-life halves", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 8, day(0))},
			Query{Entity: "acme", Commons: "a", At: day(30), HalfLife: 30 * dayDur}, 4000},
		{"two half-lives quarter", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 8, day(0))},
			Query{Entity: "acme", Commons: "a", At: day(60), HalfLife: 30 * dayDur}, 2000},
		{"half a half-life is 1/sqrt2", []any{member("alice", "acme", always, time.Time{}), contrib("a", "alice", "", "code", 1000, day(0))},
			Query{Entity: "acme", Commons: "a", At: day(15), HalfLife: 30 * dayDur}, 707106},
		{"kind weights", []any{member("alice", "acme", always, time.Time{}),
			contrib("a", "alice", "", "code", 2, day(1)), contrib("a", "alice", "", "docs", 2, day(1)), contrib("a", "alice", "", "spam", 2, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10), KindWeights: map[string]int64{"code": 1500, "docs": 250}}, 3500},
		{"recognition weights", []any{member("alice", "acme", always, time.Time{}),
			contrib("a", "alice", "", "code", 1, day(1)), contrib("b", "alice", "", "code", 1, day(1)), contrib("c", "alice", "", "code", 1, day(1)), contrib("d", "alice", "", "code", 1, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10), Recognised: map[string]int64{"a": 1000, "b": 500, "c": 2000}}, 3500},
		{"nil Recognised is only the commons", []any{member("alice", "acme", always, time.Time{}),
			contrib("a", "alice", "", "code", 1, day(1)), contrib("b", "alice", "", "code", 1, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 1000},
		{"only while a member", []any{member("alice", "acme", day(5), day(8)),
			contrib("a", "alice", "", "code", 1, day(4)), contrib("a", "alice", "", "code", 2, day(5)), contrib("a", "alice", "", "code", 4, day(7)), contrib("a", "alice", "", "code", 8, day(8))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 6000},
		{"overlapping memberships count once", []any{member("alice", "acme", day(0), day(6)), member("alice", "acme", day(3), time.Time{}),
			contrib("a", "alice", "", "code", 1, day(4)), contrib("a", "alice", "", "code", 2, day(7))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 3000},
		{"named for another entity", []any{member("alice", "acme", always, time.Time{}), member("alice", "other", always, time.Time{}),
			contrib("a", "alice", "other", "code", 5, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 0},
		{"named for this entity counts fully", []any{member("alice", "acme", always, time.Time{}), member("alice", "other", always, time.Time{}),
			contrib("a", "alice", "acme", "code", 5, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 5000},
		{"named but not a member then", []any{member("alice", "acme", day(5), time.Time{}), contrib("a", "alice", "acme", "code", 5, day(1))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 0},
		{"unnamed split, first gets remainder", []any{member("alice", "acme", always, time.Time{}), member("alice", "zeta", always, time.Time{}),
			Contribution{Commons: "a", Contributor: "alice", Kind: "code", Quantity: 1001, At: day(1), Statement: "sha256:odd"}},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 501},
		{"unnamed split, later gets floor", []any{member("alice", "acme", always, time.Time{}), member("alice", "zeta", always, time.Time{}),
			Contribution{Commons: "a", Contributor: "alice", Kind: "code", Quantity: 1001, At: day(1), Statement: "sha256:odd"}},
			Query{Entity: "zeta", Commons: "a", At: day(10)}, 500},
		{"split only among entities at that time", []any{member("alice", "acme", always, time.Time{}), member("alice", "zeta", day(5), time.Time{}),
			contrib("a", "alice", "", "code", 4, day(1)), contrib("a", "alice", "", "code", 4, day(6))},
			Query{Entity: "acme", Commons: "a", At: day(10)}, 6000},
	}
	// Where the prefix sums' answer differs from the direct sum's: they
	// split exactly and round down once, with no remainder rule.
	prefixWant := map[string]Points{"unnamed split, first gets remainder": 500}
	for _, tc := range tests {
		for _, direct := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/direct=%v", tc.name, direct), func(t *testing.T) {
				testReciprocityCase(t, direct, tc.items, tc.q, tc.want, prefixWant[tc.name])
			})
		}
	}
}

func testReciprocityCase(t *testing.T, direct bool, items []any, q Query, want, prefix Points) {
	l := newTestLedger(t)
	if direct {
		l = newDirectLedger(t)
	} else if prefix != 0 {
		want = prefix
	}
	mustAdd(t, l, items...)
	r, err := l.Reciprocity(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != want {
		t.Fatalf("total %s, want %s (%+v)", r.Total, want, r)
	}
	bs := [][]Share{r.ByCommons, r.ByMember, r.ByKind}
	if direct { // the prefix sums' ByStatement rounds each statement alone
		bs = append(bs, r.ByStatement)
	}
	for _, b := range bs {
		var s Points
		for _, sh := range b {
			s += sh.Points
		}
		if s != r.Total {
			t.Errorf("breakdown %v sums to %s, not %s", b, s, r.Total)
		}
	}
}

func TestConservation(t *testing.T) {
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) { testConservation(t, direct) })
	}
}

func testConservation(t *testing.T, direct bool) {
	// Whatever the memberships, the parts over all entities add up to the
	// whole for each contribution (direct sum); the prefix sums, which
	// round once per answer, never give the entities together more than
	// the contributions' exact worth, nor less than one thousandth per
	// entity below it.
	l := newTestLedger(t)
	if direct {
		l = newDirectLedger(t)
	}
	ents := []string{"e1", "e2", "e3"}
	for _, e := range ents {
		mustAdd(t, l, member("alice", e, day(0), time.Time{}))
	}
	mustAdd(t, l, member("alice", "e1", day(-10), day(0))) // earlier spell
	mustAdd(t, l,
		Contribution{Commons: "a", Contributor: "alice", Kind: "code", Quantity: 1000, At: day(3), Statement: "sha256:x1"},
		Contribution{Commons: "a", Contributor: "alice", Kind: "code", Quantity: 7, At: day(4), Statement: "sha256:x2"},
		Contribution{Commons: "a", Contributor: "alice", Entity: "e2", Kind: "code", Quantity: 5, At: day(4), Statement: "sha256:x3"},
		Contribution{Commons: "a", Contributor: "alice", Kind: "code", Quantity: 999, At: day(-5), Statement: "sha256:x4"},
	)
	var sum Points
	for _, e := range ents {
		r, err := l.Reciprocity(context.Background(), Query{Entity: e, Commons: "a", At: day(10), HalfLife: 7 * dayDur})
		if err != nil {
			t.Fatal(err)
		}
		sum += r.Total
	}
	// Whole, decayed individually: the same decay function, no split.
	var whole uint64
	for _, c := range []struct {
		q  Quantity
		at time.Time
	}{{1000, day(3)}, {7, day(4)}, {5, day(4)}, {999, day(-5)}} {
		whole += weigh(c.q, 1000, 1000, day(10).Sub(c.at), 7*dayDur)
	}
	if direct {
		if uint64(sum) != whole {
			t.Fatalf("entities got %d in all, contributions are worth %d", sum, whole)
		}
		return
	}
	exact := 0.0 // test-only floating point: the reference value
	for _, c := range []struct {
		q  float64
		at time.Time
	}{{1000, day(3)}, {7, day(4)}, {5, day(4)}, {999, day(-5)}} {
		exact += c.q * math.Exp2(-float64(day(10).Sub(c.at))/float64(7*dayDur))
	}
	if float64(sum) > exact || float64(sum) < exact-float64(len(ents)) {
		t.Fatalf("entities got %d in all, contributions are worth %.6f exactly", sum, exact)
	}
}

func TestRevocationIdempotenceOrder(t *testing.T) {
	l := newTestLedger(t)
	c1 := contrib("a", "alice", "", "code", 3, day(2))
	c2 := contrib("a", "alice", "", "docs", 4, day(1)) // arrives out of order
	m := member("alice", "acme", day(0), time.Time{})
	mustAdd(t, l, c1, c2, c1, m, m)
	q := Query{Entity: "acme", Commons: "a", At: day(10)}
	r, _ := l.Reciprocity(context.Background(), q)
	want := Reciprocity{Total: 7000,
		ByCommons:   []Share{{"a", 7000}},
		ByMember:    []Share{{"alice", 7000}},
		ByKind:      []Share{{"code", 3000}, {"docs", 4000}},
		ByStatement: []Share{{c1.Statement, 3000}, {c2.Statement, 4000}},
		Statements:  2}
	if d := cmp.Diff(want, r); d != "" {
		t.Fatalf("(-want +got)\n%s", d)
	}
	if ok, _ := l.Revoke(context.Background(), c1.Statement); !ok {
		t.Fatal("revoke of a held statement reported nothing removed")
	}
	if r, _ := l.Reciprocity(context.Background(), q); r.Total != 4000 {
		t.Fatalf("after revoking a contribution: %s", r.Total)
	}
	if ok, _ := l.Revoke(context.Background(), m.Statement); !ok {
		t.Fatal("membership not removed")
	}
	if r, _ := l.Reciprocity(context.Background(), q); r.Total != 0 {
		t.Fatalf("after revoking the membership: %s", r.Total)
	}
	if ok, _ := l.Revoke(context.Background(), "sha256:unknown"); ok {
		t.Fatal("unknown digest reported removed")
	}
}

func TestBadInputs(t *testing.T) {
	l := newTestLedger(t)
	bad := []struct {
		c    Contribution
		want error
	}{
		{Contribution{Commons: "zz", Contributor: "x", Kind: "code", Quantity: 1, At: day(1), Statement: "s"}, ErrUnknownCommons},
		{Contribution{Commons: "a", Contributor: "x", Kind: "code", Quantity: -1, At: day(1), Statement: "s"}, ErrQuantity},
		{Contribution{Commons: "a", Contributor: "x", Kind: "code", Quantity: MaxQuantity + 1, At: day(1), Statement: "s"}, ErrQuantity},
		{Contribution{Commons: "a", Contributor: "x", Kind: "code", Quantity: 1, From: day(2), At: day(1), Statement: "s"}, ErrPeriod},
		{Contribution{Commons: "a", Contributor: "x", Kind: "code", Quantity: 1, At: day(1)}, ErrInvalid},
	}
	for _, b := range bad {
		if _, err := l.AddContribution(context.Background(), b.c); !errors.Is(err, b.want) {
			t.Errorf("%+v: got %v, want %v", b.c, err, b.want)
		}
	}
	if _, err := l.AddMembership(context.Background(), Membership{Contributor: "x", Entity: "e", From: day(2), Until: day(1), Statement: "m"}); !errors.Is(err, ErrPeriod) {
		t.Errorf("membership ending before start: %v", err)
	}
	for _, q := range []Query{
		{Entity: "e", Commons: "a"},
		{Entity: "e", Commons: "a", At: day(1), Window: -1},
		{Entity: "e", Commons: "a", At: day(1), KindWeights: map[string]int64{"x": MaxWeight + 1}},
		{Entity: "e", Commons: "a", At: day(1), Recognised: map[string]int64{"x": -1}},
	} {
		if _, err := l.Reciprocity(context.Background(), q); err == nil {
			t.Errorf("%+v accepted", q)
		}
	}
}

func TestFallsBelow(t *testing.T) {
	l := newTestLedger(t)
	mustAdd(t, l, member("alice", "acme", day(0), time.Time{}), contrib("a", "alice", "", "code", 100, day(0)),
		contrib("a", "alice", "", "code", 100, day(20))) // after At: must be ignored
	q := Query{Entity: "acme", Commons: "a", At: day(10), HalfLife: 10 * dayDur}
	at, ok, err := l.FallsBelow(context.Background(), q, 25*Unit)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	// 100 halves to 50 at day 10, exactly 25 at day 20, below 25 one step of
	// the decay's 1/65536 half-life resolution (13.2 s) later.
	if d := at.Sub(day(20)); d <= 0 || d > 14*time.Second {
		t.Fatalf("falls below at %s, want just after %s", at, day(20))
	}
	if _, ok, _ := l.FallsBelow(context.Background(), Query{Entity: "acme", Commons: "a", At: day(10)}, 25*Unit); ok {
		t.Fatal("without decay or window the total never falls")
	}
	at, ok, _ = l.FallsBelow(context.Background(), Query{Entity: "acme", Commons: "a", At: day(10), Window: 30 * dayDur}, 25*Unit)
	if !ok || !at.Equal(day(30)) {
		t.Fatalf("window: %s %v, want %s", at, ok, day(30))
	}
}

func TestDecayMonotoneAndExact(t *testing.T) {
	const v = 1 << 40
	h := 1000 * time.Second
	prev := uint64(v)
	for age := time.Duration(0); age < 70*h; age += h / 37 {
		d := decayed(v, age, h)
		if d > prev {
			t.Fatalf("decay grew at %v: %d > %d", age, d, prev)
		}
		prev = d
	}
	for n := 0; n < 40; n++ {
		if got := decayed(v, time.Duration(n)*h, h); got != v>>n {
			t.Fatalf("%d half-lives: %d, want %d", n, got, v>>n)
		}
	}
}

func TestPointsString(t *testing.T) {
	for p, want := range map[Points]string{0: "0.000", 40000: "40.000", -250: "-0.250", 1234567: "1234.567"} {
		if p.String() != want {
			t.Errorf("%d: %q, want %q", int64(p), p.String(), want)
		}
	}
}

func TestContributorPoints(t *testing.T) {
	l := newTestLedger(t)
	mustAdd(t, l,
		contrib("a", "zoe", "acme", "code", 2, day(1)),
		contrib("a", "bob", "", "code", 1, day(2)),
		contrib("b", "zoe", "", "code", 4, day(3)),
		contrib("c", "amy", "", "docs", 1, day(3)),
		contrib("a", "bob", "", "code", 1, day(20)), // after At
		contrib("a", "old", "", "code", 1, day(-100)),
	)
	got, total, err := l.ContributorPoints(context.Background(), Query{Commons: "a", At: day(10), Window: 30 * dayDur, Recognised: map[string]int64{"a": 1000, "b": 500, "c": 2000},
		KindWeights: map[string]int64{"code": 1000}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Share{{"bob", 1000}, {"zoe", 4000}}
	if d := cmp.Diff(want, got); d != "" || total != 5000 {
		t.Fatalf("total %s (-want +got)\n%s", total, d)
	}
	if _, _, err := l.ContributorPoints(context.Background(), Query{Entity: "x", Commons: "a", At: day(1)}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("entity given: %v", err)
	}
}

// TestTermsMatchSum holds FallsBelow's re-weighing of collected terms to
// the ledger's own sum: on random ledgers (shared and ended memberships,
// contributions named for an entity or not, several commons and kinds),
// for every probe instant after At the two totals are equal.
func TestTermsMatchSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	people := []string{"p1", "p2", "p3", "p4"}
	entities := []string{"acme", "beta", "coop"}
	nonzero := 0
	for trial := range 60 {
		l := newTestLedger(t)
		for _, who := range people {
			for _, ent := range entities {
				if rng.IntN(2) == 0 {
					from := day(rng.IntN(200) - 100)
					until := time.Time{}
					if rng.IntN(3) == 0 {
						until = from.Add(time.Duration(1+rng.IntN(150)) * dayDur)
					}
					mustAdd(t, l, member(who, ent, from, until))
				}
			}
		}
		for range 40 {
			ent := ""
			if rng.IntN(4) == 0 {
				ent = entities[rng.IntN(len(entities))]
			}
			mustAdd(t, l, contrib([]string{"a", "b", "c", "d"}[rng.IntN(4)], people[rng.IntN(len(people))], ent,
				[]string{"code", "docs"}[rng.IntN(2)], int64(1+rng.IntN(50)), day(rng.IntN(220)-110).Add(time.Duration(rng.Int64N(int64(dayDur))))))
		}
		q := Query{Entity: entities[rng.IntN(len(entities))], Commons: "a", At: day(rng.IntN(40)), Recognised: map[string]int64{"a": 1000, "b": 500, "c": 2000}}
		if rng.IntN(2) == 0 {
			q.Window = time.Duration(1+rng.IntN(120)) * dayDur
		}
		if rng.IntN(2) == 0 {
			q.HalfLife = time.Duration(1+rng.IntN(90)) * dayDur
		}
		if rng.IntN(2) == 0 {
			q.KindWeights = map[string]int64{"code": 1500, "docs": 250}
		}
		var terms []term
		if err := l.sum(context.Background(), q, q.At, q.At, &accumulator{terms: &terms}); err != nil {
			t.Fatal(err)
		}
		for probe := range 25 {
			at := q.At.Add(time.Duration(rng.Int64N(int64(200 * dayDur))))
			if probe == 0 {
				at = q.At
			}
			var acc accumulator
			if err := l.sum(context.Background(), q, q.At, at, &acc); err != nil {
				t.Fatal(err)
			}
			got, err := totalAt(terms, q, at)
			if err != nil || got != acc.total {
				t.Fatalf("trial %d, %+v at %s: terms give %d (%v), sum gives %d", trial, q, at, got, err, acc.total)
			}
			if got > 0 {
				nonzero++
			}
		}
	}
	if nonzero < 300 {
		t.Fatalf("only %d of 1500 probes had points: the comparison tests little", nonzero)
	}
}

// opaqueStore hides the MemStore's type, so a Ledger over it takes the
// general path that any Store gets.
type opaqueStore struct{ Store }

// TestContributorPointsFlatMatchesGeneral holds the MemStore's flat-column
// sums to the general path over RangeCommons: random ledgers with several
// commons, kinds, windows, decay, recognition weights and revoked
// contributions give the same shares and total.
func TestContributorPointsFlatMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 80 {
		ms := NewMemStore()
		fast, general := NewLedger(ms), NewLedger(opaqueStore{ms})
		for _, c := range []Commons{{ID: "a", Stewards: []string{keyID(1)}}, {ID: "b", Stewards: []string{keyID(2)}}, {ID: "c", Stewards: []string{keyID(3)}}} {
			if err := fast.AddCommons(c); err != nil {
				t.Fatal(err)
			}
			if err := general.AddCommons(c); err != nil {
				t.Fatal(err)
			}
		}
		var stmts []string
		for range 50 + rng.IntN(300) {
			c := contrib([]string{"a", "b", "c"}[rng.IntN(3)], fmt.Sprintf("p%02d", rng.IntN(40)), "", []string{"code", "docs", "talk"}[rng.IntN(3)],
				int64(1+rng.IntN(100)), day(rng.IntN(400)-300).Add(time.Duration(rng.Int64N(int64(dayDur)))))
			mustAdd(t, fast, c)
			stmts = append(stmts, c.Statement)
		}
		for range rng.IntN(20) {
			if _, err := fast.Revoke(context.Background(), stmts[rng.IntN(len(stmts))]); err != nil {
				t.Fatal(err)
			}
		}
		q := Query{Commons: "a", At: day(rng.IntN(60))}
		if rng.IntN(2) == 0 {
			q.Window = time.Duration(1+rng.IntN(200)) * dayDur
		}
		if rng.IntN(2) == 0 {
			q.HalfLife = time.Duration(1+rng.IntN(120)) * dayDur
		}
		if rng.IntN(2) == 0 {
			q.Recognised = map[string]int64{"a": 1000, "b": int64(rng.IntN(3000)), "c": int64(rng.IntN(3000))}
		}
		if rng.IntN(2) == 0 {
			q.KindWeights = map[string]int64{"code": 1500, "docs": 250}
		}
		got, gotTotal, err := fast.ContributorPoints(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		want, wantTotal, err := general.ContributorPoints(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if gotTotal != wantTotal || !cmp.Equal(got, want) {
			t.Fatalf("trial %d %+v: flat total %d, general %d\n%s", trial, q, gotTotal, wantTotal, cmp.Diff(want, got))
		}
		if trial == 0 && len(got) == 0 {
			t.Fatal("no shares: the comparison tests nothing")
		}
	}
}
