package policy

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// historySizes are issue 19's histories: the contributions of one entity's
// 50 members.
var historySizes = []struct {
	name string
	n    int
}{{"n=1k", 1_000}, {"n=10k", 10_000}, {"n=100k", 100_000}, {"n=1M", 1_000_000}}

// historyLedger is a ledger where acme's 50 members made n contributions
// over three years up to at, to alpha and to beta (which alpha recognises),
// of two kinds, a fifth of them naming acme and the rest split with the
// second entity half the members also belong to.
func historyLedger(b *testing.B, w *world, n int) *contribution.Ledger {
	b.Helper()
	l := contribution.NewLedger(nil)
	for _, c := range []contribution.Commons{w.alpha, w.beta} {
		if err := l.AddCommons(c); err != nil {
			b.Fatal(err)
		}
	}
	const members = 50
	ids := make([]string, members)
	for i := range ids {
		ids[i] = id(fmt.Sprintf("member-%02d", i))
		from := at.AddDate(-4, 0, 0)
		if _, err := l.AddMembership(context.Background(), contribution.Membership{Contributor: ids[i], Entity: "acme", From: from, Statement: fmt.Sprintf("sha256:m%063x", i)}); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := l.AddMembership(context.Background(), contribution.Membership{Contributor: ids[i], Entity: "other", From: from, Statement: fmt.Sprintf("sha256:o%063x", i)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	x := uint64(0x9E3779B97F4A7C15)
	next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
	span := uint64(3 * 365 * 24 * time.Hour / time.Second)
	for i := range n {
		c := contribution.Contribution{
			Commons:     []string{"alpha", "beta"}[next()%2],
			Contributor: ids[next()%members],
			Kind:        []string{"code", "docs"}[next()%2],
			Quantity:    contribution.Quantity(1+next()%10) * 1000,
			At:          at.Add(-time.Duration(next()%span) * time.Second),
			Statement:   fmt.Sprintf("sha256:%064x", i),
		}
		if next()%5 == 0 {
			c.Entity = "acme"
		}
		if _, err := l.AddContribution(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	return l
}

// BenchmarkQuoteHistory is one quote (evaluate and render) for an entity
// of 50 members with 1k to 1M contributions in its history, through the
// ppl-reciprocity terms (decay on, recognised commons on): the entity is
// free through contribution, so the quote also works out until when.
func BenchmarkQuoteHistory(b *testing.B) {
	w := newWorld(b)
	e := w.evaluator(b, "ppl-reciprocity")
	for _, size := range historySizes {
		b.Run(size.name, func(b *testing.B) {
			r := &Request{Entity: contribution.Entity{ID: "acme", Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit,
				Provenance: contribution.Provenance{By: id("registrar")}}}, Use: Use{Commercial: true, Seats: 3}, At: at, Ledger: historyLedger(b, w, size.n)}
			d, err := e.Evaluate(r)
			if err != nil || d.Outcome() != Free || d.PathToFree() == nil || d.PathToFree().FreeUntil.IsZero() {
				b.Fatal(err, d.Outcome(), d.PathToFree())
			}
			b.ReportMetric(float64(d.Reciprocity().Statements), "statements")
			b.ResetTimer()
			cpu0 := processCPU()
			for b.Loop() {
				d, err := e.Evaluate(r)
				if err != nil {
					b.Fatal(err)
				}
				if bytesSink, err = d.MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkFreeUntil is the decay crossing alone for the same entities:
// the instant their points fall below the terms' threshold.
func BenchmarkFreeUntil(b *testing.B) {
	w := newWorld(b)
	e := w.evaluator(b, "ppl-reciprocity")
	for _, size := range historySizes {
		b.Run(size.name, func(b *testing.B) {
			l := historyLedger(b, w, size.n)
			q, _ := e.Query("acme", at)
			threshold := contribution.Points(100 * 1000)
			if t, ok, err := l.FallsBelow(context.Background(), q, threshold); err != nil || !ok || !t.After(at) {
				b.Fatal(t, ok, err)
			}
			b.ResetTimer()
			cpu0 := processCPU()
			for b.Loop() {
				if _, _, err := l.FallsBelow(context.Background(), q, threshold); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// processCPU is the CPU time this process has used: on a loaded machine
// the wall time per op also counts waiting for a core, the CPU time not.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per op since cpu0 (the collector's
// included, so it is not below the work's own).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
