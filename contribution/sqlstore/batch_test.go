package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peerproduction/ppl/contribution"
)

// TestBatchReads: RangeMany and MembershipsOfMembers answer, in one query
// each, exactly what the per-member calls answer.
func TestBatchReads(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		rng := rand.New(rand.NewPCG(3, 4))
		people := []string{"p0", "p1", "p2", "p3", "p4"}
		for i := range 30 {
			if _, err := s.PutMembership(context.Background(), contribution.Membership{Contributor: people[rng.IntN(5)], Entity: []string{"acme", "beta"}[rng.IntN(2)],
				From: t0.AddDate(0, 0, rng.IntN(50)), Statement: fmt.Sprintf("sha256:m%063d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 300 {
			if _, err := s.PutContribution(context.Background(), contribution.Contribution{Commons: []string{"a", "b", "c"}[rng.IntN(3)], Contributor: people[rng.IntN(5)],
				Kind: "code", Quantity: 1000, Unit: "u", At: t0.Add(time.Duration(rng.IntN(1000)) * time.Hour),
				Statement: fmt.Sprintf("sha256:%064d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		type hit struct {
			Who     string
			Commons int
			R       contribution.Record
		}
		commons := []string{"c", "zz", "a", "c"} // unknown and repeated on purpose
		after, upTo := t0.Add(100*time.Hour), t0.Add(800*time.Hour)
		who := []string{"p3", "p0", "nobody", "p1"}
		var want, got []hit
		for _, p := range who {
			if err := s.RangeMany(ctx, []string{p}, commons, after, upTo, func(_ string, i int, r contribution.Record) error {
				want = append(want, hit{p, i, r})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RangeMany(ctx, who, commons, after, upTo, func(p string, i int, r contribution.Record) error {
			got = append(got, hit{p, i, r})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatal("no records: the test compares nothing")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("RangeMany vs Range (-Range +RangeMany):\n%s", diff)
		}

		members, err := s.Members(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		var wantM []contribution.Membership
		for i, m := range members {
			if i == 0 || members[i-1].Contributor != m.Contributor {
				all, err := s.MembershipsOf(context.Background(), m.Contributor)
				if err != nil {
					t.Fatal(err)
				}
				wantM = append(wantM, all...)
			}
		}
		gotM, err := s.MembershipsOfMembers(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(wantM) == 0 {
			t.Fatal("no memberships: the test compares nothing")
		}
		if diff := cmp.Diff(wantM, gotM, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("MembershipsOfMembers vs MembershipsOf (-want +got):\n%s", diff)
		}
	})
}

// TestRangeManyLargeEntity: RangeMany for more contributors than a
// statement may have parameters (SQLite allows 32,766, PostgreSQL 65,535)
// answers in order instead of failing.
func TestRangeManyLargeEntity(t *testing.T) {
	ctx := context.Background()
	forDrivers(t, func(t *testing.T, d Driver) {
		s := openFresh(t, d)
		var who []string
		for i := range 70_000 {
			who = append(who, fmt.Sprintf("m%05d", i))
		}
		want := []string{}
		for _, i := range []int{3, 40_000, 69_999} {
			c := *syntheticItem(i).Contribution
			c.Contributor = who[i]
			if _, err := s.PutContribution(ctx, c); err != nil {
				t.Fatal(err)
			}
			want = append(want, who[i])
		}
		got := []string{}
		if err := s.RangeMany(ctx, who, []string{"web"}, t0.Add(-time.Hour), t0.AddDate(1, 0, 0), func(p string, _ int, _ contribution.Record) error {
			got = append(got, p)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(want, got) {
			t.Fatalf("RangeMany over 70,000 contributors gave %v, want %v", got, want)
		}
	})
}
