package contribution

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestBatchSumMatchesPerMember holds the two-call sum over any Store (one
// RangeMany over the union of the members' windows, each record filtered by
// its own contributor's periods) to the per-member sum over a MemStore
// (one range per member and merged period): on random ledgers with several,
// overlapping and ended memberships per person, every breakdown is equal.
func TestBatchSumMatchesPerMember(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 5))
	people := []string{"p1", "p2", "p3", "p4", "p5"}
	entities := []string{"acme", "beta", "coop"}
	nonzero := 0
	for trial := range 80 {
		mem, batch := newTestLedger(t), newDirectLedger(t)
		var items []any
		for _, who := range people {
			for _, ent := range entities {
				for range rng.IntN(3) {
					from := day(rng.IntN(200) - 100)
					until := time.Time{}
					if rng.IntN(2) == 0 {
						until = from.Add(time.Duration(1+rng.IntN(80)) * dayDur)
					}
					items = append(items, member(who, ent, from, until))
				}
			}
		}
		for range 60 {
			ent := ""
			if rng.IntN(4) == 0 {
				ent = entities[rng.IntN(len(entities))]
			}
			items = append(items, contrib([]string{"a", "b", "c", "d"}[rng.IntN(4)], people[rng.IntN(len(people))], ent,
				[]string{"code", "docs"}[rng.IntN(2)], int64(1+rng.IntN(50)), day(rng.IntN(220)-110).Add(time.Duration(rng.Int64N(int64(dayDur))))))
		}
		mustAdd(t, mem, items...)
		mustAdd(t, batch, items...)
		for range 10 {
			q := Query{Entity: entities[rng.IntN(len(entities))], Commons: "a", At: day(rng.IntN(120) - 20), Recognised: map[string]int64{"a": 1000, "b": 500, "c": 2000}}
			if rng.IntN(2) == 0 {
				q.Window = time.Duration(1+rng.IntN(120)) * dayDur
			}
			if rng.IntN(2) == 0 {
				q.HalfLife = time.Duration(1+rng.IntN(90)) * dayDur
			}
			want, got := accumulator{breakdown: true}, accumulator{breakdown: true}
			if err := mem.sum(context.Background(), q, q.At, q.At, &want); err != nil {
				t.Fatal(err)
			}
			if err := batch.sum(context.Background(), q, q.At, q.At, &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want.result(), got.result()); d != "" {
				t.Fatalf("trial %d, %+v (-per member +batch):\n%s", trial, q, d)
			}
			if want.total > 0 {
				nonzero++
			}
		}
	}
	if nonzero < 300 {
		t.Fatalf("only %d of 800 queries counted anything: the test data is too thin", nonzero)
	}
}
