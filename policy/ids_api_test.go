package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

func TestIDErrorsNameTheField(t *testing.T) {
	e := newWorld(t).evaluator(t, "ppl-reciprocity")
	where := func(err error) string {
		var ie *attest.IDError
		if !errors.As(err, &ie) {
			t.Fatalf("no *attest.IDError in %v", err)
		}
		return ie.Where
	}
	_, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "Acme"}, At: at})
	if w := where(err); w != "Request.Entity.ID" {
		t.Errorf("Where %q", w)
	}
	_, err = e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme", Key: "SHA256:x"}, At: at})
	if w := where(err); w != "Request.Entity.Key" {
		t.Errorf("Where %q", w)
	}
	// Of several bad first uses the same one is named every time.
	fu := map[string]time.Time{"Zed": at, "B\u202e": at, "ok": at, "Y": at, "X": at}
	for range 20 {
		_, err = e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, At: at, FirstUses: fu})
		if w := where(err); w != `Request.FirstUses["B\u202e"]` {
			t.Fatalf("Where %q", w)
		}
	}
	terms, _ := license.Builtin("ppl")
	w := newWorld(t)
	_, err = Compile(Config{Terms: terms, Commons: w.alpha, Peers: []contribution.Commons{w.beta, {ID: "be ta"}}})
	if got := where(err); got != "Peers[1].ID" || !errors.Is(err, ErrConfig) {
		t.Errorf("Where %q (%v)", got, err)
	}
	_, err = NewFactStatement(Fact{Entity: "x\x00", Fact: "f"})
	if got := where(err); got != "/predicate/entity" {
		t.Errorf("Where %q", got)
	}
}
