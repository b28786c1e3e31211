package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution/sqlstore"
	"github.com/peerproduction/ppl/policy"
)

// BenchmarkQuoteHTTP: quotes over loopback HTTP at concurrency 1, 8 and
// 64, with p50 and p99 latency and requests a second.
func BenchmarkQuoteHTTP(b *testing.B) {
	t := &testing.T{}
	e := start(t, filepath.Join(b.TempDir(), "ppl.db"), nil)
	defer e.stop()
	for _, ev := range evidence(t) {
		resp := e.raw(t, "POST", "/v1/attestations", "", "application/json", ev)
		resp.Body.Close()
	}
	// The service's own handler, without the tests' OpenAPI validation.
	ts := httptest.NewServer(e.s.routes())
	defer ts.Close()
	body := []byte(`{"entity":"acme","commercial":true,"seats":4}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	for _, c := range []int{1, 8, 64} {
		b.Run("c="+strconv.Itoa(c), func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			var next sync.Mutex
			i := 0
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range c {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						next.Lock()
						k := i
						i++
						next.Unlock()
						if k >= b.N {
							return
						}
						t0 := time.Now()
						resp, err := client.Post(ts.URL+"/v1/quotes", "application/json", bytes.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						lat[k] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/el.Seconds(), "req/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkQuoteLibrary is the same quote without HTTP: what the service
// adds is the difference.
func BenchmarkQuoteLibrary(b *testing.B) {
	t := &testing.T{}
	e := start(t, filepath.Join(b.TempDir(), "ppl.db"), nil)
	defer e.stop()
	for _, ev := range evidence(t) {
		resp := e.raw(t, "POST", "/v1/attestations", "", "application/json", ev)
		resp.Body.Close()
	}
	s := e.s
	ent := s.entities["acme"]
	b.ResetTimer()
	for b.Loop() {
		d, err := s.eval.Evaluate(&policy.Request{Entity: ent, Use: policy.Use{Commercial: true, Seats: 4}, At: clock, Ledger: s.ledger})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplay: rebuilding the index from a log of 5,000 records at
// start (each verified again at its first-seen time).
func BenchmarkReplay(b *testing.B) {
	t := &testing.T{}
	path := filepath.Join(b.TempDir(), "ppl.db")
	e := start(t, path, nil)
	var items []sqlstore.Item
	for i := range 5000 {
		env := crashEvidence(t, i, i%2 == 0)
		v, err := e.s.trust.Verify(env, attestVerifyAt(clock))
		if err != nil {
			b.Fatal(err)
		}
		d, err := e.s.decode(v)
		if err != nil {
			b.Fatal(err)
		}
		est := sqlstore.EstablishedContribution
		if d.membership != nil {
			est = sqlstore.EstablishedMembership
		}
		items = append(items, sqlstore.Item{Evidence: sqlstore.FromVerified(v, env, est), Contribution: d.contribution, Membership: d.membership})
	}
	if _, err := e.db.db.Ingest(context.Background(), items); err != nil {
		b.Fatal(err)
	}
	e.stop()
	st, key, _ := demoSetup()
	db, err := openBackend(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := newServer(context.Background(), options{setup: st, key: key, db: db, now: func() time.Time { return clock }})
		if err != nil || s.seq != 5000 {
			b.Fatal(err, s.seq)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/5000, "µs/record")
}
