package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictRequests: the lenient inputs, each refused with a
// problem document naming what is wrong.
func TestStrictRequests(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	pay := e.tokens[ScopePayments]
	// A text/plain or form post (what a foreign web page can send without
	// a preflight) records nothing.
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"} {
		e.do(t, "POST", "/v1/payments", pay, ct, []byte(`{"payer":"acme","amount":1,"currency":"EUR","reference":"x"}`), http.StatusUnsupportedMediaType)
	}
	e.do(t, "POST", "/v1/quotes", "", "application/json; charset=utf-8", []byte(`{"entity":"acme"}`), http.StatusOK)
	for _, c := range []struct {
		path, body, pointer string
	}{
		{"/v1/payments", `{"payer":"acme","amount":1,"AMOUNT":99999,"currency":"EUR","reference":"y"}`, "/AMOUNT"},
		{"/v1/payments", `{"payer":"acme","amount":1,"amount":99999,"currency":"EUR","reference":"y"}`, "/amount"},
		{"/v1/quotes", `{"entity":"acme","bogus":1}`, "/bogus"},
		{"/v1/quotes", `{"entity":"acme","seats":-4}`, "/seats"},
		{"/v1/quotes", `{"entity":"acme","at":"yesterday"}`, "/at"},
		{"/v1/quotes", `{"commercial":true}`, "/entity"},
		{"/v1/quotes", `{"entity":"acme"} {}`, ""},
	} {
		tok := ""
		if c.path == "/v1/payments" {
			tok = pay
		}
		p := problemOf(t, e.post(t, c.path, tok, []byte(c.body), http.StatusBadRequest))
		if p.Pointer != c.pointer || p.Status != http.StatusBadRequest {
			t.Errorf("%s %s: pointer %q, want %q (%+v)", c.path, c.body, p.Pointer, c.pointer, p)
		}
	}
	e.do(t, "GET", "/v1/payments/y", pay, "", nil, http.StatusNotFound) // nothing was recorded
	e.post(t, "/v1/attestations", "", []byte(strings.Repeat("x", maxBody+1)), http.StatusRequestEntityTooLarge)
	e.do(t, "GET", "/nowhere", "", "", nil, http.StatusNotFound)
	req, _ := http.NewRequest("GET", e.ts.URL+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("p", maxHeader))
	big, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	big.Body.Close()
	if big.StatusCode != http.StatusRequestHeaderFieldsTooLarge || big.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("oversized header: %d %s", big.StatusCode, big.Header.Get("Content-Type"))
	}
	resp := e.raw(t, "DELETE", "/v1/quotes", "", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("DELETE /v1/quotes: %d Allow %q %s", resp.StatusCode, resp.Header.Get("Allow"), resp.Header.Get("Content-Type"))
	}
}

// TestEvaluation: the AuthZEN 1.0 evaluation endpoint decides as a quote
// does, with the decision in context.
func TestEvaluation(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	for _, ev := range evidence(t) {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	ask := func(body string, want int) map[string]any {
		b := e.post(t, "/access/v1/evaluation", "", []byte(body), want)
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := ask(`{"subject":{"type":"entity","id":"acme"},"action":{"name":"use","properties":{"commercial":true,"seats":4}},"resource":{"type":"commons","id":"alpha"}}`, 200)
	ctx, _ := v["context"].(map[string]any)
	ppl, _ := ctx["ppl"].(map[string]any)
	if v["decision"] != false || ctx["outcome"] != "pay" || ppl["pathToFree"] == nil {
		t.Fatalf("commercial acme: %v", v)
	}
	v = ask(`{"subject":{"type":"entity","id":"acme"},"action":{"name":"use","properties":{"commercial":false}},"resource":{"type":"commons","id":"alpha"}}`, 200)
	if v["decision"] != true {
		t.Fatalf("non-commercial: %v", v)
	}
	e.post(t, "/access/v1/evaluation", "", []byte(`{"subject":{"type":"user","id":"acme"},"action":{"name":"use"},"resource":{"type":"commons","id":"alpha"}}`), http.StatusBadRequest)
	e.post(t, "/access/v1/evaluation", "", []byte(`{"subject":{"type":"entity","id":"acme"},"action":{"name":"use"},"resource":{"type":"commons","id":"zeta"}}`), http.StatusNotFound)
}
