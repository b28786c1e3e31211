package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/contribution/sqlstore"
	"github.com/peerproduction/ppl/policy"
)

var clock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// env is a running test server with a token per scope and one with none
// of the scopes a route needs.
type env struct {
	s      *server
	ts     *httptest.Server
	db     *backend
	tokens map[string]string // scope → token; "none" has only an unused scope
}

func start(t *testing.T, dbPath string, tune func(*options)) *env {
	t.Helper()
	tokFile := filepath.Join(filepath.Dir(dbPath), "tokens")
	toks := map[string]string{}
	for _, sc := range []string{ScopePayments, ScopeGrants, ScopeManifests} {
		tok, err := createToken(tokFile, []string{sc})
		if err != nil {
			t.Fatal(err)
		}
		toks[sc] = tok
	}
	toks["none"] = toks[ScopeManifests]
	st, key, err := demoSetup()
	if err != nil {
		t.Fatal(err)
	}
	tk, err := loadTokens(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openBackend(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	o := options{setup: st, key: key, db: db, tokens: tk, now: func() time.Time { return clock }}
	if tune != nil {
		tune(&o)
	}
	s, err := newServer(context.Background(), o)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	ts := httptest.NewServer(validating(t, s, s.routes()))
	e := &env{s: s, ts: ts, db: db, tokens: toks}
	t.Cleanup(e.stop)
	return e
}

var stopped sync.Map

func (e *env) stop() {
	if _, done := stopped.LoadOrStore(e, true); done {
		return
	}
	e.ts.Close()
	e.db.Close()
}

// do sends a request and checks its status; token "" is anonymous.
func (e *env) do(t *testing.T, method, path, token, ctype string, body []byte, want int) []byte {
	t.Helper()
	resp := e.raw(t, method, path, token, ctype, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if want >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%s %s: %d with Content-Type %q, want application/problem+json: %s", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return b
}

func (e *env) raw(t *testing.T, method, path, token, ctype string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (e *env) post(t *testing.T, path, token string, body []byte, want int) []byte {
	t.Helper()
	return e.do(t, "POST", path, token, "application/json", body, want)
}

func signed(t *testing.T, st attest.Statement, signers ...string) []byte {
	t.Helper()
	env, err := attest.SignStatement(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range signers {
		if err := env.AddSignature(sampleKey(s)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := env.MarshalJSON()
	return b
}

// evidence: acme's facts, its developer's membership (both signatures),
// contributions to alpha and to the recognised beta.
func evidence(t *testing.T) [][]byte {
	devID := attest.KeyID(samplePub("dev"))
	facts, _ := contribution.NewEntityStatement(contribution.Entity{ID: "acme", AsOf: clock.AddDate(0, -1, 0),
		Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}, Headcount: contribution.IntFact{Known: true, Value: 250}})
	member, _ := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", From: clock.AddDate(-1, 0, 0)}, samplePub("dev"))
	c1, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: devID, Kind: "code", Quantity: 30_000, Unit: "points", At: clock.AddDate(0, 0, -3)})
	c2, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "beta", Contributor: devID, Kind: "code", Quantity: 40_000, Unit: "points", At: clock.AddDate(0, 0, -5)})
	return [][]byte{signed(t, facts, "registrar"), signed(t, member, "entity-acme", "dev"), signed(t, c1, "steward-alpha"), signed(t, c2, "steward-beta")}
}

func problemOf(t *testing.T, b []byte) problemDoc {
	t.Helper()
	var p problemDoc
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, b)
	}
	return p
}

func TestEndToEnd(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	for _, ev := range evidence(t) {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	e.post(t, "/v1/attestations", "", evidence(t)[0], http.StatusOK) // already held
	bad, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(samplePub("dev")), Kind: "code", Quantity: 900_000, Unit: "points", At: clock})
	if p := problemOf(t, e.post(t, "/v1/attestations", "", signed(t, bad, "steward-beta"), http.StatusUnprocessableEntity)); p.Title != "out of scope" {
		t.Fatalf("bad evidence: %+v", p)
	}
	e.post(t, "/v1/attestations", "", []byte(`{"payloadType":`), http.StatusUnprocessableEntity)

	quote := e.post(t, "/v1/quotes", "", []byte(`{"entity":"acme","commercial":true,"seats":4}`), http.StatusOK)
	var d map[string]any
	if err := json.Unmarshal(quote, &d); err != nil {
		t.Fatal(err)
	}
	if d["outcome"] != "pay" || d["pathToFree"] == nil || !strings.Contains(string(quote), `"reason":"reciprocity 49.`) {
		t.Fatalf("quote: %s", quote)
	}

	pay := e.tokens[ScopePayments]
	alloc := e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"inv-7"}`), http.StatusCreated)
	ptrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{payout.PredicateType}, Subjects: []string{"commons:alpha"}})
	a, err := payout.Verify(ptrust, alloc, clock)
	if err != nil || a.Association != 4800 || len(a.Shares) != 1 || a.Shares[0].Paid != 43200 {
		t.Fatalf("allocation: %v %+v", err, a)
	}
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"inv-7"}`), http.StatusConflict)
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":5,"currency":"USD","reference":"inv-8"}`), http.StatusUnprocessableEntity)
	got := e.do(t, "GET", "/v1/payments/inv-7", pay, "", nil, http.StatusOK)
	if !strings.Contains(string(got), `"alpha-association":4800`) {
		t.Fatalf("payment read: %s", got)
	}

	grant := e.post(t, "/v1/grants", e.tokens[ScopeGrants], []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"inv-7"}`), http.StatusCreated)
	mtrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{policy.GrantPredicateType}, Subjects: []string{"commons:alpha", "entity:*"}})
	g, err := policy.VerifyGrant(mtrust, grant, clock.AddDate(0, 6, 0))
	if err != nil || g.Payment != "inv-7" || g.Use != (policy.GrantUse{Commercial: true, Seats: 4}) {
		t.Fatalf("grant: %v %+v", err, g)
	}
	if v := e.post(t, "/v1/grants/verify", "", grant, http.StatusOK); !strings.Contains(string(v), `"valid":true`) {
		t.Fatalf("verify: %s", v)
	}
	if got := e.do(t, "GET", "/v1/grants/"+g.Statement, e.tokens[ScopeGrants], "", nil, http.StatusOK); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(grant)) {
		t.Fatalf("stored grant differs:\n%s\n%s", got, grant)
	}

	terms := e.do(t, "GET", "/v1/commons/alpha/terms", "", "", nil, http.StatusOK)
	if !strings.Contains(string(terms), `"id":"ppl-reciprocity"`) {
		t.Fatalf("terms: %s", terms)
	}
	e.do(t, "GET", "/v1/commons/zeta/terms", "", "", nil, http.StatusNotFound)
	e.do(t, "GET", "/healthz", "", "", nil, http.StatusOK)
	e.do(t, "GET", "/readyz", "", "", nil, http.StatusOK)
	if m := e.do(t, "GET", "/metrics", "", "", nil, http.StatusOK); !strings.Contains(string(m), `ppl_quotes_total{outcome="pay"}`) ||
		!strings.Contains(string(m), `ppl_http_requests_total{code="201",route="POST /v1/payments"} 1`) {
		t.Fatalf("metrics:\n%s", m)
	}
}

// TestGrantNeedsRecordedPayment: the forged grants. A pay grant for
// a payment never recorded, one for another payer's or a smaller payment,
// and one dated by the client are all refused; the grant issued is dated
// by the server's clock.
func TestGrantNeedsRecordedPayment(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	for _, ev := range evidence(t) {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	gt := e.tokens[ScopeGrants]
	if p := problemOf(t, e.post(t, "/v1/grants", gt, []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"never-paid"}`), http.StatusUnprocessableEntity)); p.Title != "payment not recorded" || p.Pointer != "/payment" {
		t.Fatalf("never-paid: %+v", p)
	}
	e.post(t, "/v1/grants", gt, []byte(`{"entity":"acme","commercial":true,"seats":4}`), http.StatusBadRequest)
	e.post(t, "/v1/grants", gt, []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"inv-1","at":"2000-01-01T00:00:00Z"}`), http.StatusBadRequest)
	pay := e.tokens[ScopePayments]
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"other","amount":48000,"currency":"EUR","reference":"other-1"}`), http.StatusCreated)
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":1,"currency":"EUR","reference":"small-1"}`), http.StatusCreated)
	for _, ref := range []string{"other-1", "small-1"} {
		p := problemOf(t, e.post(t, "/v1/grants", gt, []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"`+ref+`"}`), http.StatusUnprocessableEntity))
		if p.Title != "payment does not cover the grant" {
			t.Fatalf("%s: %+v", ref, p)
		}
	}
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"inv-1"}`), http.StatusCreated)
	b := e.post(t, "/v1/grants", gt, []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"inv-1"}`), http.StatusCreated)
	mtrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{policy.GrantPredicateType}, Subjects: []string{"commons:alpha", "entity:*"}})
	g, err := policy.VerifyGrant(mtrust, b, clock)
	if err != nil || g.IssuedAt != clock.Format(time.RFC3339) && g.IssuedAt != clock.Format(time.RFC3339Nano) {
		t.Fatalf("grant: %v issued %q, want the server clock %s", err, g.IssuedAt, clock)
	}
}

// TestRestart: a new server over the same database answers byte for byte
// as the old one, and remembers the payment.
func TestRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ppl.db")
	e := start(t, path, nil)
	for _, ev := range evidence(t) {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	e.post(t, "/v1/payments", e.tokens[ScopePayments], []byte(`{"payer":"acme","amount":1000,"currency":"EUR","reference":"inv-1"}`), http.StatusCreated)
	q := []byte(`{"entity":"acme","commercial":true,"seats":4}`)
	before := e.post(t, "/v1/quotes", "", q, http.StatusOK)
	e.stop()

	e2 := start(t, path, nil)
	if after := e2.post(t, "/v1/quotes", "", q, http.StatusOK); !bytes.Equal(before, after) {
		t.Fatalf("after restart:\n%s\nbefore:\n%s", after, before)
	}
	e2.post(t, "/v1/payments", e2.tokens[ScopePayments], []byte(`{"payer":"acme","amount":1000,"currency":"EUR","reference":"inv-1"}`), http.StatusConflict)
}

// TestSecondInstanceRefused: two instances on one SQLite file would each
// index their own writes only; the second is refused with ErrLocked.
func TestSecondInstanceRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ppl.db")
	e := start(t, path, nil)
	_, err := openBackend(context.Background(), path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	e.stop()
	db, err := openBackend(context.Background(), path)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	db.Close()
}

// TestConcurrentWritesRestart: the flips. Attestations posted
// concurrently with quotes, then a restart: every entity's quote after the
// restart is what the last live answer said.
func TestConcurrentWritesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ppl.db")
	e := start(t, path, nil)
	const n = 24
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ent := "e" + string(rune('a'+i))
			dev := samplePub("dev-" + ent)
			facts, _ := contribution.NewEntityStatement(contribution.Entity{ID: ent, AsOf: clock.AddDate(0, -1, 0),
				Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}, Headcount: contribution.IntFact{Known: true, Value: 10 + int64(i)}})
			c, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(dev), Kind: "code",
				Quantity: contribution.Quantity(1000 * (i + 1)), Unit: "points", At: clock.AddDate(0, 0, -i-1)})
			for _, b := range [][]byte{signed(t, facts, "registrar"), signed(t, c, "steward-alpha")} {
				resp := e.raw(t, "POST", "/v1/attestations", "", "application/json", b)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					t.Errorf("attestation: %d", resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	live := map[int][]byte{}
	for i := range n {
		live[i] = e.post(t, "/v1/quotes", "", []byte(`{"entity":"e`+string(rune('a'+i))+`","commercial":true}`), http.StatusOK)
	}
	e.stop()
	e2 := start(t, path, nil)
	for i := range n {
		if got := e2.post(t, "/v1/quotes", "", []byte(`{"entity":"e`+string(rune('a'+i))+`","commercial":true}`), http.StatusOK); !bytes.Equal(got, live[i]) {
			t.Fatalf("entity %d after restart:\n%s\nlive:\n%s", i, got, live[i])
		}
	}
}

// TestPaymentWithoutAllocation: a payment stored without its allocation
// (the process died between the two writes) is completed, at the time it
// was recorded, when it is posted again; a different payment under its
// reference is still refused.
func TestPaymentWithoutAllocation(t *testing.T) {
	e := start(t, filepath.Join(t.TempDir(), "ppl.db"), nil)
	for _, ev := range evidence(t) {
		e.post(t, "/v1/attestations", "", ev, http.StatusCreated)
	}
	at := clock.Add(-time.Hour)
	if _, err := e.db.db.PutPayment(context.Background(), sqlstore.Payment{Reference: "half", Commons: "alpha", Entity: "acme", Amount: 48000, Currency: "EUR", At: at}); err != nil {
		t.Fatal(err)
	}
	pay := e.tokens[ScopePayments]
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":47000,"currency":"EUR","reference":"half"}`), http.StatusConflict)
	alloc := e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"half"}`), http.StatusCreated)
	ptrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{payout.PredicateType}, Subjects: []string{"commons:alpha"}})
	a, err := payout.Verify(ptrust, alloc, clock)
	if err != nil || !a.Payment.At.Equal(at) || a.Association != 4800 {
		t.Fatalf("completed allocation: %v %+v", err, a)
	}
	if got := e.do(t, "GET", "/v1/payments/half", pay, "", nil, http.StatusOK); !strings.Contains(string(got), `"alpha-association":4800`) {
		t.Fatalf("payment read: %s", got)
	}
	e.post(t, "/v1/payments", pay, []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"half"}`), http.StatusConflict)
}
