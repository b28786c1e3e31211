package contribution

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// The scale of issue 4: 1,000,000 contributions by 10,000 contributors to
// 100 commons over five years; entity "big" has 50 members.
const (
	benchContribs      = 1_000_000
	benchContributors  = 10_000
	benchCommons       = 100
	benchSpanDays      = 5 * 365
	benchEntityMembers = 50
)

func benchID(prefix string, i int) string { return fmt.Sprintf("%s%05d", prefix, i) }

func benchContributions(n, contributors, commons int) []Contribution {
	out := make([]Contribution, n)
	gen := benchGenerator(contributors, commons)
	for i := range out {
		out[i] = gen(i)
	}
	return out
}

// benchGenerator returns a deterministic pseudo-random contribution maker.
func benchGenerator(contributors, commons int) func(i int) Contribution {
	x := uint64(0x9E3779B97F4A7C15)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	kinds := []string{"code", "docs", "review", "design"}
	return func(i int) Contribution {
		return Contribution{
			Commons:     benchID("c", int(next()%uint64(commons))),
			Contributor: benchID("p", int(next()%uint64(contributors))),
			Kind:        kinds[next()%4],
			Quantity:    Quantity(1+next()%5000) * 10,
			At:          t0.Add(time.Duration(next()%(benchSpanDays*24*3600)) * time.Second),
			Statement:   fmt.Sprintf("sha256:%064x", i),
		}
	}
}

func benchLedger(b *testing.B, cs []Contribution, commons int) *Ledger {
	l := NewLedger(nil)
	for i := 0; i < commons; i++ {
		if err := l.AddCommons(Commons{ID: benchID("c", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range cs {
		if _, err := l.AddContribution(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

func BenchmarkIngest(b *testing.B) {
	cs := benchContributions(benchContribs, benchContributors, benchCommons)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if n%len(cs) == 0 {
			b.StopTimer()
			l := NewLedger(nil)
			for i := 0; i < benchCommons; i++ {
				_ = l.AddCommons(Commons{ID: benchID("c", i)})
			}
			benchIngestLedger = l
			b.StartTimer()
		}
		if _, err := benchIngestLedger.AddContribution(context.Background(), cs[n%len(cs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contributions/s")
}

var benchIngestLedger *Ledger

func BenchmarkReciprocity(b *testing.B) {
	l, q := reciprocityBench(b)
	r, err := l.Reciprocity(context.Background(), q)
	if err != nil || r.Total == 0 {
		b.Fatalf("%v %+v", err, r)
	}
	b.ReportMetric(float64(len(r.ByStatement)), "statements/op")
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Reciprocity(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

// reciprocityBench is issue 4's ledger and its query about entity big.
func reciprocityBench(b *testing.B) (*Ledger, Query) {
	cs := benchContributions(benchContribs, benchContributors, benchCommons)
	l := benchLedger(b, cs, benchCommons)
	for i := 0; i < benchEntityMembers; i++ {
		if _, err := l.AddMembership(context.Background(), Membership{Contributor: benchID("p", i*97), Entity: "big", From: t0, Statement: fmt.Sprintf("sha256:m%063x", i)}); err != nil {
			b.Fatal(err)
		}
		// Half the members also belong elsewhere, so unnamed work is split.
		if i%2 == 0 {
			_, _ = l.AddMembership(context.Background(), Membership{Contributor: benchID("p", i*97), Entity: "other", From: t0, Statement: fmt.Sprintf("sha256:o%063x", i)})
		}
	}
	q := Query{Entity: "big", Commons: "c00000", At: t0.Add(4 * 365 * 24 * time.Hour), Window: 365 * 24 * time.Hour, HalfLife: 90 * 24 * time.Hour,
		KindWeights: map[string]int64{"code": 1000, "docs": 500, "review": 750, "design": 1000},
		Recognised:  map[string]int64{"c00000": 1000, "c00001": 800, "c00002": 500, "c00003": 500, "c00004": 250}}
	return l, q
}

// BenchmarkReciprocityBounded is BenchmarkReciprocity's query without the
// list of statements, as a quote against a marketplace's ledger with a
// long history asks it (MaxStatements below the count): the sums alone.
func BenchmarkReciprocityBounded(b *testing.B) {
	l, q := reciprocityBench(b)
	q.MaxStatements = 1
	r, err := l.Reciprocity(context.Background(), q)
	if err != nil || r.Total == 0 || r.Statements < 2 || r.ByStatement != nil {
		b.Fatalf("%v %d statements, %d listed", err, r.Statements, len(r.ByStatement))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Reciprocity(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContributorPoints(b *testing.B) {
	// Issue 8's payout: 100,000 contributors, 1,000,000 contributions, all to
	// the commons being paid for (the worst case), no window limit.
	cs := benchContributions(benchContribs, 100_000, 1)
	l := benchLedger(b, cs, 1)
	q := Query{Commons: "c00000", At: t0.Add(benchSpanDays * 24 * time.Hour), HalfLife: 180 * 24 * time.Hour}
	if pts, _, err := l.ContributorPoints(context.Background(), q); err != nil || len(pts) < 99_000 {
		b.Fatal(err, len(pts))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := l.ContributorPoints(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryPerContribution(b *testing.B) {
	for b.Loop() {
		// Contributions are made one at a time, so everything still live
		// afterwards (digests included) is held by the ledger.
		gen := benchGenerator(benchContributors, benchCommons)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		l := benchLedger(b, nil, benchCommons)
		for i := 0; i < benchContribs; i++ {
			if _, err := l.AddContribution(context.Background(), gen(i)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchContribs, "bytes/contribution")
		runtime.KeepAlive(l)
	}
}
