package license

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseReportsEveryProblemWithPointer(t *testing.T) {
	doc := `{
	  "id": "custom", "name": "Custom", "version": "1", "source": "https://example.com/l",
	  "clauses": [
	    {"id": "a", "effect": "free", "when": {"commercial": false}, "text": "t"},
	    {"id": "a", "effect": "pay", "price": "nope", "text": "t"},
	    {"id": "c", "effect": "deny", "when": {"commercial": true}, "text": "t"}
	  ],
	  "prices": [{"id": "p", "kind": "flat", "currency": "XXX", "period": "year", "amount": -5}]
	}`
	_, err := Parse([]byte(doc))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	want := map[string]error{
		"/clauses/1/id":      ErrDuplicateClause,
		"/clauses/1/price":   ErrUnknownPrice,
		"/clauses/2":         ErrUnreachable,
		"/clauses/2/when":    ErrNoDefault,
		"/prices/0/currency": ErrUnknownCurrency,
		"/prices/0/amount":   ErrNegativePrice,
	}
	got := map[string]error{}
	for _, p := range pe.Problems {
		got[p.Pointer] = p.Err
	}
	for ptr, e := range want {
		if !errors.Is(got[ptr], e) {
			t.Errorf("%s: got %v, want %v", ptr, got[ptr], e)
		}
	}
	if len(pe.Problems) != len(want) {
		t.Errorf("problems: %v", pe.Problems)
	}
	for _, e := range want {
		if !errors.Is(err, e) {
			t.Errorf("errors.Is(err, %v) false", e)
		}
	}
}

func TestParseSchemaAndSyntaxErrors(t *testing.T) {
	base, _ := BuiltinJSON("ppl")
	tests := map[string]struct {
		mutate func(string) string
		err    error
		ptr    string
	}{
		"unknown effect": {func(s string) string { return strings.Replace(s, `"effect": "pay"`, `"effect": "maybe"`, 1) }, ErrSchema, "/clauses/2/effect"},
		"two-key condition": {func(s string) string {
			return strings.Replace(s, `{"commercial": false}`, `{"commercial": false, "workerOwned": true}`, 1)
		}, ErrSchema, "/clauses/0/when"},
		"unknown field": {func(s string) string { return strings.Replace(s, `"notes"`, `"Notes"`, 1) }, ErrSchema, ""},
		"duplicate key": {func(s string) string { return strings.Replace(s, `"id": "ppl",`, `"id": "ppl", "id": "x",`, 1) }, ErrSyntax, "/id"},
		"trailing data": {func(s string) string { return s + "{}" }, ErrSyntax, ""},
		"negative headcount": {func(s string) string {
			return strings.Replace(s, `{"commercial": false}`, `{"headcountBelow": -1}`, 1)
		}, ErrSchema, "/clauses/0/when/headcountBelow"},
	}
	for name, tc := range tests {
		_, err := Parse([]byte(tc.mutate(string(base))))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tc.err) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		found := false
		for _, p := range pe.Problems {
			if p.Pointer == tc.ptr {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no problem at %q: %v", name, tc.ptr, pe.Problems)
		}
	}
}

func TestRoundTripAndDigest(t *testing.T) {
	for _, id := range Builtins() {
		terms, _ := Builtin(id)
		out, err := json.Marshal(terms)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("%s: re-parse: %v", id, err)
		}
		out2, _ := json.Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatalf("%s: round trip not stable", id)
		}
		d1, _ := terms.Digest()
		d2, _ := again.Digest()
		if d1 != d2 {
			t.Fatalf("%s: digests differ", id)
		}
		// Re-formatting the source (indentation, member order) keeps the digest.
		src, _ := BuiltinJSON(id)
		var v any
		json.Unmarshal(src, &v)
		compact, _ := json.Marshal(v)
		terms3, err := Parse(compact)
		if err != nil {
			t.Fatal(err)
		}
		if d3, _ := terms3.Digest(); d3 != d1 {
			t.Fatalf("%s: reformatted digest differs", id)
		}
	}
	a, _ := Builtin("ppl")
	b, _ := Builtin("ppl-reciprocity")
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da == db {
		t.Fatal("different terms share a digest")
	}
}

func TestMilli(t *testing.T) {
	for in, want := range map[string]Milli{"1": 1000, "0.5": 500, "0.25": 250, "2.125": 2125, "0": 0} {
		var m Milli
		if err := m.UnmarshalJSON([]byte(in)); err != nil || m != want {
			t.Errorf("%s: %d %v", in, m, err)
		}
		if b, _ := m.MarshalJSON(); string(b) != in {
			t.Errorf("%d marshals as %s", m, b)
		}
	}
	for _, bad := range []string{"0.0001", "1e3", "\"1\"", ""} {
		var m Milli
		if err := m.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReciprocityAndUnknownBuiltin(t *testing.T) {
	terms, _ := Builtin("ppl-reciprocity")
	r := terms.Reciprocity()
	if r == nil || r.MinPoints != 100 || r.KindWeights["docs"] != 500 || r.KindWeights["hours"] != 250 || !r.IncludeRecognised {
		t.Fatalf("reciprocity %+v", r)
	}
	if _, err := Builtin("gpl-3.0"); !errors.Is(err, ErrUnknownBuiltin) {
		t.Fatal(err)
	}
	if _, err := Builtin("../parse"); !errors.Is(err, ErrUnknownBuiltin) {
		t.Fatal(err)
	}
}
