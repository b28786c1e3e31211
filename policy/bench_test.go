package policy

import (
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// pplQuote is the built-in PPL-with-reciprocity terms and a for-profit
// that must pay, its reciprocity already summarised by the ledger.
func pplQuote(b *testing.B) (*Evaluator, *Request) {
	w := newWorld(b)
	recip := contribution.Reciprocity{Total: 40_000}
	return w.evaluator(b, "ppl-reciprocity"), &Request{Entity: contribution.Entity{ID: "acme",
		Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit, Provenance: contribution.Provenance{By: id("registrar")}}},
		Use: Use{Commercial: true, Seats: 3}, At: at, Reciprocity: &recip}
}

// BenchmarkEvaluatePPL: the built-in PPL-with-reciprocity terms, a
// for-profit that must pay, reciprocity already summarised by the ledger.
func BenchmarkEvaluatePPL(b *testing.B) {
	e, r := pplQuote(b)
	d, err := e.Evaluate(r)
	if err != nil || d.Outcome() != Pay {
		b.Fatal(d, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		// Kept, as a caller keeps it: a discarded Decision could live on
		// the stack and hide the allocation a real quote pays for.
		if decisionSink, err = e.Evaluate(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluatePPLReuse is BenchmarkEvaluatePPL deciding into one
// reused Decision (EvaluateInto): the decision's work without the
// allocation of a new Decision.
func BenchmarkEvaluatePPLReuse(b *testing.B) {
	e, r := pplQuote(b)
	var d Decision
	if err := e.EvaluateInto(&d, r); err != nil || d.Outcome() != Pay {
		b.Fatal(d.Outcome(), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.EvaluateInto(&d, r); err != nil {
			b.Fatal(err)
		}
	}
}

// evidence100 is one membership and 99 contributions for acme.
func evidence100(b *testing.B) [][]byte {
	ev := [][]byte{memberOf(b, "acme", "alice")}
	for i := range 99 {
		ev = append(ev, contributed(b, "steward-alpha", "alpha", "alice", "code", int64(i+1), i%300))
	}
	return ev
}

// BenchmarkRawVerify100 is the floor: 100 crypto/ed25519 verifications of
// the same envelopes' PAE bytes.
func BenchmarkRawVerify100(b *testing.B) {
	items := rawItems(b)
	for b.Loop() {
		for _, it := range items {
			if !ed25519.Verify(it.pub, it.msg, it.sig) {
				b.Fatal("verify")
			}
		}
	}
}

type rawItem struct {
	pub ed25519.PublicKey
	msg []byte
	sig []byte
}

// rawItems are the 100 envelopes' first signatures with their keys and
// PAE bytes.
func rawItems(b *testing.B) []rawItem {
	var items []rawItem
	for i, raw := range evidence100(b) {
		env, err := attest.ParseEnvelope(raw)
		if err != nil {
			b.Fatal(err)
		}
		k := pub("steward-alpha")
		if i == 0 {
			k = pub("entity-acme")
		}
		items = append(items, rawItem{k, attest.PAE(env.PayloadType, env.Payload), env.Signatures[0].Sig})
	}
	return items
}

func BenchmarkEvaluateWithEvidence(b *testing.B) {
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			w := newWorld(b)
			e := w.evaluator(b, "ppl-reciprocity")
			r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence100(b)}
			d, err := e.Evaluate(r)
			if err != nil || len(d.Ignored()) != 0 {
				b.Fatal(err, d.Ignored())
			}
			for b.Loop() {
				if !cached {
					// Fresh evidence: nothing verified or decoded before.
					w.trust.ResetCache()
					e.decoded.Reset()
					e.sets.Reset()
				}
				if _, err := e.Evaluate(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluateWithEvidenceRatio is the ratio measured so that
// a shared machine's drifting speed cancels out: every iteration times 100
// raw verifications of the evidence's PAE bytes and one evaluation of the
// same 100 envelopes, fresh, back to back, and the metric is the total
// evaluation time over the total raw time.
func BenchmarkEvaluateWithEvidenceRatio(b *testing.B) {
	items := rawItems(b)
	w := newWorld(b)
	e := w.evaluator(b, "ppl-reciprocity")
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence100(b)}
	var raw, eval time.Duration
	for b.Loop() {
		// Forgetting what was verified is the benchmark's doing, not the
		// evaluation's: it is left out of both timings.
		w.trust.ResetCache()
		e.decoded.Reset()
		e.sets.Reset()
		t0 := time.Now()
		for _, it := range items {
			if !ed25519.Verify(it.pub, it.msg, it.sig) {
				b.Fatal("verify")
			}
		}
		t1 := time.Now()
		if _, err := e.Evaluate(r); err != nil {
			b.Fatal(err)
		}
		eval += time.Since(t1)
		raw += t1.Sub(t0)
	}
	b.ReportMetric(float64(eval)/float64(raw), "eval/raw")
}

// BenchmarkEvaluateWithEvidenceLater re-evaluates the same evidence a
// second later each time: verification, decoding and the ledger come from
// the evidence set, the reciprocity answer is computed afresh, and the
// instant the entity's points fall below the threshold comes from the memo
// (no contribution is dated in between).
func BenchmarkEvaluateWithEvidenceLater(b *testing.B) {
	w := newWorld(b)
	e := w.evaluator(b, "ppl-reciprocity")
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: evidence100(b)}
	if _, err := e.Evaluate(r); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.At = r.At.Add(time.Second)
		if _, err := e.Evaluate(r); err != nil {
			b.Fatal(err)
		}
	}
}

// decisionSink keeps BenchmarkNewDecision's allocations on the heap.
var decisionSink *Decision

// BenchmarkNewDecision is the floor under BenchmarkEvaluatePPL on the
// machine it runs on: allocating one empty Decision and nothing else.
func BenchmarkNewDecision(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		decisionSink = new(Decision)
	}
}

// BenchmarkQuoteRendered is BenchmarkEvaluatePPL with the decision
// rendered as canonical JSON, as a backend answering over HTTP would: the
// explanation a Decision derives when read (the clause trail, the path to
// free, the request digest) is paid for here.
func BenchmarkQuoteRendered(b *testing.B) {
	e, r := pplQuote(b)
	b.ReportAllocs()
	for b.Loop() {
		d, err := e.Evaluate(r)
		if err != nil {
			b.Fatal(err)
		}
		if bytesSink, err = d.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

var bytesSink []byte
