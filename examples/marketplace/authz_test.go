package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuthorizationMatrix: every route × {anonymous, wrong scope, right
// scope}. Public routes answer all three alike; operator routes answer 401
// without a token, 403 with a token lacking the scope and do their work
// with the right one.
func TestAuthorizationMatrix(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	for _, ev := range evidence(t)[:2] {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	e.post(t, "/v1/payments", e.tokens[ScopePayments], []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"seed"}`), http.StatusCreated)
	grant := e.post(t, "/v1/grants", e.tokens[ScopeGrants], []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"seed"}`), http.StatusCreated)
	digest := e.s.grantDigest(t, grant)

	ev := evidence(t)
	n := 0
	type call struct {
		method, path, scope string
		body                func() []byte
		ok                  int
	}
	calls := []call{
		{"POST", "/v1/attestations", "", func() []byte { n++; return ev[2+n%2] }, 0},
		{"POST", "/v1/quotes", "", func() []byte { return []byte(`{"entity":"acme","commercial":true}`) }, 200},
		{"POST", "/access/v1/evaluation", "", func() []byte {
			return []byte(`{"subject":{"type":"entity","id":"acme"},"action":{"name":"use"},"resource":{"type":"commons","id":"alpha"}}`)
		}, 200},
		{"POST", "/v1/grants/verify", "", func() []byte { return grant }, 200},
		{"GET", "/v1/commons/alpha/terms", "", nil, 200},
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/readyz", "", nil, 200},
		{"GET", "/metrics", "", nil, 200},
		{"GET", "/openapi.json", "", nil, 200},
		{"POST", "/v1/grants", ScopeGrants, func() []byte { return []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"seed"}`) }, 201},
		{"GET", "/v1/grants/" + digest, ScopeGrants, nil, 200},
		{"POST", "/v1/payments", ScopePayments, func() []byte {
			n++
			return []byte(`{"payer":"acme","amount":100,"currency":"EUR","reference":"m-` + strings.Repeat("x", n) + `"}`)
		}, 201},
		{"GET", "/v1/payments/seed", ScopePayments, nil, 200},
	}
	routes := map[string]bool{}
	for _, c := range calls {
		routes[c.method+" "+patternOf(c.path)] = true
	}
	for p := range e.s.routeTable() {
		if !routes[p] {
			t.Errorf("route %s is not in the matrix", p)
		}
	}
	wrong := map[string]string{"": e.tokens[ScopeGrants], ScopeGrants: e.tokens[ScopePayments], ScopePayments: e.tokens[ScopeGrants]}
	for _, c := range calls {
		body := func() []byte {
			if c.body == nil {
				return nil
			}
			return c.body()
		}
		for _, who := range []struct {
			name, token string
		}{{"anonymous", ""}, {"wrong scope", wrong[c.scope]}, {"right scope", e.tokens[c.scope]}} {
			want := c.ok
			if c.scope != "" {
				switch who.name {
				case "anonymous":
					want = http.StatusUnauthorized
				case "wrong scope":
					want = http.StatusForbidden
				}
			}
			ctype := ""
			if c.method == "POST" {
				ctype = "application/json"
			}
			resp := e.raw(t, c.method, c.path, who.token, ctype, body())
			resp.Body.Close()
			if want == 0 { // attestations: created, or already held
				if resp.StatusCode != 201 && resp.StatusCode != 200 {
					t.Errorf("%s %s as %s: %d", c.method, c.path, who.name, resp.StatusCode)
				}
				continue
			}
			if resp.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, who.name, resp.StatusCode, want)
			}
		}
	}
	// A token that is well formed but unknown, or whose secret is wrong.
	bad := e.tokens[ScopePayments]
	for _, tok := range []string{"ppl_000000000000_" + strings.Repeat("0", 64), bad[:len(bad)-1] + "x", "garbage"} {
		e.do(t, "GET", "/v1/payments/seed", tok, "", nil, http.StatusUnauthorized)
	}
}

// TestRateLimit: a client over its attestation rate gets 429 with
// Retry-After; another client is not affected.
func TestRateLimit(t *testing.T) {
	now := clock
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), func(o *options) {
		o.attestRate, o.burst = 1, 2
		o.now = func() time.Time { return now }
	})
	ev := evidence(t)
	e.post(t, "/v1/attestations", "", ev[0], http.StatusCreated)
	e.post(t, "/v1/attestations", "", ev[1], http.StatusCreated)
	resp := e.raw(t, "POST", "/v1/attestations", "", "application/json", ev[2])
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("over the limit: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
	}
	if ok, _ := e.s.attestL.allow("192.0.2.1"); !ok {
		t.Fatal("another client was limited")
	}
	now = now.Add(time.Second)
	e.post(t, "/v1/attestations", "", ev[2], http.StatusCreated)
}
