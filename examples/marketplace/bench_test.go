package main

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

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
						resp, err := client.Post(e.ts.URL+"/v1/quotes", "application/json", bytes.NewReader(body))
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
