package policy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// This file uses only what the package had before ids got a grammar, so it
// runs against that code too; there every bad id below was taken.

var badIDs = []string{
	"Acme", "acme\u202e", "ac\u200dme", "acm\x07e", "\x00", "аcme", "café", "acme inc",
	"a:b", "a*", "-acme", "acme-", "a..b", "\ufffd", "ac\xffme", strings.Repeat("x", 129),
}

func TestRequestRefusesBadIDs(t *testing.T) {
	e := newWorld(t).evaluator(t, "ppl-reciprocity")
	for _, id := range badIDs {
		if _, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: id}, At: at}); !errors.Is(err, ErrRequest) {
			t.Errorf("Entity.ID %q: %v", id, err)
		}
		fu := map[string]time.Time{"parent": at, id: at}
		if _, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, At: at, FirstUses: fu}); !errors.Is(err, ErrRequest) {
			t.Errorf("FirstUses %q: %v", id, err)
		}
	}
	for _, k := range []string{"SHA256:short", "sha256:" + id("x")[7:], id("x") + "\u200b", "acme"} {
		if _, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme", Key: k}, At: at}); !errors.Is(err, ErrRequest) {
			t.Errorf("Entity.Key %q: %v", k, err)
		}
	}
	for _, name := range []string{"acme", "makers-coop", "org.example", "c00000"} {
		d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: name, Key: id("entity-" + name)}, At: at, FirstUses: map[string]time.Time{"parent-co": at}})
		if err != nil || d == nil {
			t.Errorf("good id %q: %v", name, err)
		}
	}
}

func TestCompileRefusesBadIDs(t *testing.T) {
	terms, err := license.Builtin("ppl-reciprocity")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	for _, id := range badIDs {
		alpha := w.alpha
		alpha.ID = id
		if _, err := Compile(Config{Terms: terms, Commons: alpha}); !errors.Is(err, ErrConfig) {
			t.Errorf("Commons.ID %q: %v", id, err)
		}
		alpha = w.alpha
		alpha.Recognises = []contribution.Recognition{{Commons: "beta", Weight: 500}, {Commons: id, Weight: 500}}
		if _, err := Compile(Config{Terms: terms, Commons: alpha}); !errors.Is(err, ErrConfig) {
			t.Errorf("Recognises %q: %v", id, err)
		}
		peer := w.beta
		peer.ID = id
		if _, err := Compile(Config{Terms: terms, Commons: w.alpha, Peers: []contribution.Commons{peer}}); !errors.Is(err, ErrConfig) {
			t.Errorf("Peers %q: %v", id, err)
		}
	}
}

func TestFactAndControlIDs(t *testing.T) {
	for _, id := range badIDs {
		if _, err := NewFactStatement(Fact{Entity: id, Fact: "contributes-back"}); !errors.Is(err, ErrRequest) {
			t.Errorf("NewFactStatement %q: %v", id, err)
		}
		if _, err := NewControlStatement(Control{Controller: "parent", Controlled: id, From: "2020-01-01T00:00:00Z"}); !errors.Is(err, ErrRequest) {
			t.Errorf("NewControlStatement %q: %v", id, err)
		}
		// As if a key trusted for "entity:*" had signed them: the decoders
		// refuse the id whatever attest let through.
		pred, _ := json.Marshal(Fact{Entity: id, Fact: "contributes-back"})
		v := &attest.Verified{Digest: "sha256:test", Statement: attest.Statement{PredicateType: FactPredicateType,
			Subject: []attest.Subject{attest.SubjectFor("entity:" + id)}, Predicate: pred}}
		if _, err := decodeFact(v); !errors.Is(err, attest.ErrMalformed) {
			t.Errorf("decodeFact %q: %v", id, err)
		}
		pred, _ = json.Marshal(Control{Controller: id, Controlled: "sub", From: "2020-01-01T00:00:00Z"})
		v.Statement = attest.Statement{PredicateType: ControlPredicateType, Predicate: pred,
			Subject: []attest.Subject{attest.SubjectFor("entity:" + id), attest.SubjectFor("entity:sub")}}
		if _, _, _, err := decodeControl(v); !errors.Is(err, attest.ErrMalformed) {
			t.Errorf("decodeControl %q: %v", id, err)
		}
	}
}

// Wrong calls are errors, not panics and not silent guesses.
func TestWrongCalls(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl")
	var nilEval *Evaluator
	if _, err := nilEval.Evaluate(&Request{At: at}); !errors.Is(err, ErrConfig) {
		t.Errorf("nil evaluator: %v", err)
	}
	if _, err := e.Evaluate(nil); !errors.Is(err, ErrRequest) {
		t.Errorf("nil request: %v", err)
	}
	if err := e.EvaluateInto(nil, &Request{At: at}); !errors.Is(err, ErrRequest) {
		t.Errorf("nil decision: %v", err)
	}
	if _, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: -3}, At: at}); !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), "Seats") {
		t.Errorf("negative seats: %v", err)
	}
}
