package policy

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/peerproduction/ppl/contribution"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenRequests are decisions pinned byte for byte in testdata/golden.
func goldenRequests(t testing.TB, w *world) map[string]*Request {
	return map[string]*Request{
		"pays-with-path": {Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 3}, At: at,
			Evidence: [][]byte{memberOf(t, "acme", "alice"), contributed(t, "steward-alpha", "alpha", "alice", "code", 40, 2)}},
		"free-by-recognised-commons": {Entity: contribution.Entity{ID: "peerco"}, Use: Use{Commercial: true}, At: at,
			Evidence: [][]byte{memberOf(t, "peerco", "carol"), contributed(t, "steward-beta", "beta", "carol", "code", 260, 1)}},
		"worker-coop": {Entity: contribution.Entity{ID: "coop"}, Use: Use{Commercial: true}, At: at,
			Evidence: [][]byte{registered(t, contribution.Entity{ID: "coop", Kind: kindFact(contribution.KindWorkerCooperative), WorkerOwned: boolFact(true), SurplusToWorkers: boolFact(true)})}},
		"ignored-evidence": {Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at,
			Evidence: [][]byte{contributed(t, "steward-beta", "alpha", "alice", "code", 500, 2), []byte(`{"payloadType":"x"}`)}},
	}
}

func TestGoldenDecisions(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	for name, r := range goldenRequests(t, w) {
		d, err := e.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "golden", name+".json")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, got, 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./policy -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: decision differs from golden file\ngot  %s\nwant %s", name, got, want)
		}
	}
}

// TestDeterministicAndConcurrent evaluates the same requests from many
// goroutines at once; every decision must be byte-identical.
func TestDeterministicAndConcurrent(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	reqs := goldenRequests(t, w)
	want := map[string][]byte{}
	for name, r := range reqs {
		d, _ := e.Evaluate(r)
		want[name], _ = d.MarshalJSON()
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				for name, r := range reqs {
					d, err := e.Evaluate(r)
					if err != nil {
						t.Error(err)
						return
					}
					got, _ := d.MarshalJSON()
					if !bytes.Equal(got, want[name]) {
						t.Errorf("%s: differs between evaluations", name)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
