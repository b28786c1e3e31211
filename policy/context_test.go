package policy

import (
	"context"
	"errors"
	"testing"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestRequestContext: the ledger's reads run under Request.Context, so a
// cancelled context abandons the decision with context.Canceled instead of
// deciding on a store it could not read; unset, the background context is
// used and the same request decides.
func TestRequestContext(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	l := contribution.NewLedger(nil)
	for _, c := range []contribution.Commons{w.alpha, w.beta} {
		if err := l.AddCommons(c); err != nil {
			t.Fatal(err)
		}
	}
	for _, env := range [][]byte{memberOf(t, "acme", "alice"), contributedFor(t, "steward-alpha", "alpha", "alice", "acme", "code", 80, 3)} {
		v, err := w.trust.Verify(env, attest.VerifyOptions{Time: at, PredicateTypes: evidencePredicates})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Ingest(context.Background(), v); err != nil {
			t.Fatal(err)
		}
	}
	r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Ledger: l}
	if _, err := e.Evaluate(r); err != nil {
		t.Fatalf("without a context: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.Context = ctx
	if d, err := e.Evaluate(r); !errors.Is(err, context.Canceled) {
		t.Fatalf("with a cancelled context: %+v, %v; want context.Canceled", d, err)
	}
}
