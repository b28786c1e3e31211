package payout

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGiveLeftoversMatchesSort holds the selection to the rule it replaces:
// sort remainders descending, ties by position (key id order), and give
// one unit to each of the first left. Remainders are drawn from small
// ranges too, so ties are common.
func TestGiveLeftoversMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 2000 {
		n := 1 + rng.IntN(300)
		if trial%100 == 0 {
			n = 20_000 + rng.IntN(5000)
		}
		spread := []uint64{2, 5, 1000, 1 << 62}[rng.IntN(4)]
		rems := make([]uint64, n)
		for i := range rems {
			rems[i] = rng.Uint64N(spread)
		}
		left := rng.IntN(n) + 1
		if left == n {
			left--
		}
		if left == 0 {
			continue
		}
		got := make([]Share, n)
		giveLeftovers(got, rems, left)

		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(x, y int) int {
			if c := cmp.Compare(rems[y], rems[x]); c != 0 {
				return c
			}
			return cmp.Compare(x, y)
		})
		want := make([]int64, n)
		for _, i := range idx[:left] {
			want[i] = 1
		}
		for i := range got {
			if got[i].Computed != want[i] {
				t.Fatalf("trial %d (n %d, left %d, spread %d): share %d got %d, want %d", trial, n, left, spread, i, got[i].Computed, want[i])
			}
		}
	}
}

// TestNthLargestWorstCases: already sorted, reversed, all equal and
// organ-pipe inputs, which defeat naive pivots, still give the k-th value.
func TestNthLargestWorstCases(t *testing.T) {
	const n = 5000
	gens := map[string]func(i int) uint64{
		"ascending":  func(i int) uint64 { return uint64(i) },
		"descending": func(i int) uint64 { return uint64(n - i) },
		"equal":      func(int) uint64 { return 7 },
		"organ pipe": func(i int) uint64 { return uint64(min(i, n-i)) },
		"two values": func(i int) uint64 { return uint64(i % 2) },
	}
	for name, g := range gens {
		for _, k := range []int{1, 2, n / 3, n / 2, n - 1, n} {
			v := make([]uint64, n)
			for i := range v {
				v[i] = g(i)
			}
			sorted := slices.Clone(v)
			slices.SortFunc(sorted, func(x, y uint64) int { return cmp.Compare(y, x) })
			if got := nthLargest(v, k); got != sorted[k-1] {
				t.Errorf("%s, k=%d: got %d, want %d", name, k, got, sorted[k-1])
			}
		}
	}
}
