package sqlstore

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// ingestPool is the verified contributions BenchmarkStoreIngest writes, made
// once: signing and verifying are not what it measures.
var ingestPool []Item

func pool(b *testing.B) []Item {
	if ingestPool == nil {
		f := newFixture(b)
		for n := range 20_000 {
			ingestPool = append(ingestPool, f.item(b, n, t0.Add(time.Hour)))
		}
	}
	return ingestPool
}

// BenchmarkStoreIngest: verified contributions into the store in batches of
// 1000, one transaction each (durable on return).
func BenchmarkStoreIngest(b *testing.B) {
	items := pool(b)
	const batch = 1000
	for _, d := range drivers {
		b.Run("driver="+string(d), func(b *testing.B) {
			s := openFresh(b, d)
			ctx := context.Background()
			next := 0
			b.ResetTimer()
			for done := 0; done < b.N; {
				if next+batch > len(items) {
					b.StopTimer()
					if _, err := s.db.Exec(`DELETE FROM contributions`); err != nil {
						b.Fatal(err)
					}
					if _, err := s.db.Exec(`DELETE FROM evidence`); err != nil {
						b.Fatal(err)
					}
					next = 0
					b.StartTimer()
				}
				k := min(batch, b.N-done)
				res, err := s.Ingest(ctx, items[next:next+k])
				if err != nil {
					b.Fatal(err)
				}
				if !res[0].Added {
					b.Fatal("the pool was not reset")
				}
				next += k
				done += k
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contributions/s")
		})
	}
}

// BenchmarkStoreQuote: one reciprocity quote through a Ledger for an entity
// of 10 members with 100 contributions each to three commons, over MemStore
// and over each database.
func BenchmarkStoreQuote(b *testing.B) {
	commons := contribution.Commons{ID: "a", Recognises: []contribution.Recognition{{Commons: "b", Weight: 500}, {Commons: "c", Weight: 2000}}}
	q := contribution.Query{Entity: "acme", Commons: "a", At: t0.AddDate(1, 0, 0), Window: 365 * 24 * time.Hour,
		HalfLife: 90 * 24 * time.Hour, Recognised: commons.RecognisedWeights()}
	fill := func(b *testing.B, s contribution.Store) *contribution.Ledger {
		l := contribution.NewLedger(s)
		for _, c := range []contribution.Commons{commons, {ID: "b"}, {ID: "c"}} {
			if err := l.AddCommons(c); err != nil {
				b.Fatal(err)
			}
		}
		n := 0
		for m := range 10 {
			who := fmt.Sprintf("p%02d", m)
			if _, err := l.AddMembership(context.Background(), contribution.Membership{Contributor: who, Entity: "acme", From: t0,
				Statement: fmt.Sprintf("sha256:m%063d", m)}); err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				n++
				if _, err := l.AddContribution(context.Background(), contribution.Contribution{Commons: []string{"a", "b", "c"}[i%3], Contributor: who, Kind: "code",
					Quantity: 1000, Unit: "u", At: t0.Add(time.Duration(n) * time.Hour), Statement: fmt.Sprintf("sha256:%064d", n)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		return l
	}
	stores := []struct {
		name string
		open func(b *testing.B) contribution.Store
	}{
		{"mem", func(*testing.B) contribution.Store { return contribution.NewMemStore() }},
		{"sqlite", func(b *testing.B) contribution.Store { return openFresh(b, SQLite) }},
		{"postgres", func(b *testing.B) contribution.Store { return openFresh(b, Postgres) }},
		// A warm instance: the store's rows loaded into memory (LoadInto,
		// as a starting instance does, the feed keeping it current), the
		// quote answered from there.
		{"sqlite-warm", func(b *testing.B) contribution.Store {
			db := openFresh(b, SQLite)
			fill(b, db)
			mem := contribution.NewMemStore()
			if _, err := db.LoadInto(context.Background(), mem); err != nil {
				b.Fatal(err)
			}
			return mem
		}},
	}
	for _, st := range stores {
		b.Run("driver="+st.name, func(b *testing.B) {
			l := fill(b, st.open(b))
			want, err := l.Reciprocity(context.Background(), q)
			if err != nil || want.Total == 0 {
				b.Fatalf("quote: %v, %v", want.Total, err)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := l.Reciprocity(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// coldItem is contribution n of a database for BenchmarkStoreColdStart:
// 5,000 contributors, three commons, an evidence list of one commit.
func coldItem(n int) Item {
	it := syntheticItem(n)
	c := it.Contribution
	c.Contributor = fmt.Sprintf("SHA256:%043d", n%5000)
	c.Commons = []string{"web", "docs", "infra"}[n%3]
	c.Evidence = []string{fmt.Sprintf("gitCommit:%040x", n)}
	return it
}

// BenchmarkStoreColdStart: an instance starting against a database of
// coldStartRows contributions (and 5,000 memberships) rebuilds its
// in-memory ledger with LoadInto; no signature is verified. It reports the
// rows loaded per second and the peak live heap during the load.
func BenchmarkStoreColdStart(b *testing.B) {
	const coldStartRows = 200_000
	for _, d := range drivers {
		b.Run("driver="+string(d), func(b *testing.B) {
			s := openFresh(b, d)
			ctx := context.Background()
			batch := make([]Item, 0, 1000)
			flush := func() {
				if _, err := s.Ingest(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
			for n := range coldStartRows {
				batch = append(batch, coldItem(n))
				if len(batch) == cap(batch) {
					flush()
				}
			}
			for p := range 5000 {
				it := syntheticItem(10_000_000 + p)
				c := it.Contribution
				it.Contribution = nil
				it.Evidence.Established = EstablishedMembership
				it.Membership = &contribution.Membership{Contributor: fmt.Sprintf("SHA256:%043d", p), Entity: fmt.Sprintf("org%d", p%300),
					From: t0.Add(-time.Hour), Statement: c.Statement}
				batch = append(batch, it)
				if len(batch) == cap(batch) {
					flush()
				}
			}
			if len(batch) > 0 {
				flush()
			}
			var peak uint64
			b.ResetTimer()
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				mem := contribution.NewMemStore()
				if _, err := s.LoadInto(ctx, mem); err != nil {
					b.Fatal(err)
				}
				stop()
				runtime.KeepAlive(mem)
			}
			b.ReportMetric(float64(b.N*coldStartRows)/b.Elapsed().Seconds(), "contributions/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest live heap seen every millisecond until
// stop is called, and once more then.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > *peak {
			*peak = v
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		read()
	}
}
