package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/policy"
)

var clock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, dir string, repair bool) (*server, *httptest.Server) {
	t.Helper()
	o := demoOptions(dir)
	o.now = func() time.Time { return clock }
	o.repair = repair
	s, err := newServer(o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.routes())
	t.Cleanup(func() { ts.Close(); s.log.Close() })
	return s, ts
}

func post(t *testing.T, ts *httptest.Server, path string, body []byte, want int) []byte {
	t.Helper()
	resp, err := http.Post(ts.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, want, b)
	}
	return b
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

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	s, ts := start(t, dir, false)
	for _, ev := range evidence(t) {
		post(t, ts, "/v1/attestations", ev, http.StatusCreated)
	}
	// Invalid evidence: a steward of beta signing for alpha is out of scope.
	bad, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(samplePub("dev")), Kind: "code", Quantity: 900_000, Unit: "points", At: clock})
	resp, err := http.Post(ts.URL+"/v1/attestations", "application/json", bytes.NewReader(signed(t, bad, "steward-beta")))
	if err != nil {
		t.Fatal(err)
	}
	var prob map[string]any
	json.NewDecoder(resp.Body).Decode(&prob)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("Content-Type") != "application/problem+json" || prob["title"] != "out of scope" {
		t.Fatalf("bad evidence: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), prob)
	}
	post(t, ts, "/v1/attestations", []byte(`{"payloadType":`), http.StatusUnprocessableEntity)
	post(t, ts, "/v1/attestations", bytes.Repeat([]byte("x"), maxBody+1), http.StatusRequestEntityTooLarge)

	quote := post(t, ts, "/v1/quotes", []byte(`{"entity":"acme","commercial":true,"seats":4}`), http.StatusOK)
	var d map[string]any
	if err := json.Unmarshal(quote, &d); err != nil {
		t.Fatal(err)
	}
	if d["outcome"] != "pay" || d["pathToFree"] == nil || !strings.Contains(string(quote), `"reason":"reciprocity 49.`) {
		t.Fatalf("quote: %s", quote)
	}
	post(t, ts, "/v1/quotes", []byte(`{"entity":"acme","bogus":1}`), http.StatusBadRequest)

	grant := post(t, ts, "/v1/grants", []byte(`{"entity":"acme","commercial":true,"seats":4,"payment":"inv-7"}`), http.StatusCreated)
	mtrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{policy.GrantPredicateType}, Subjects: []string{"commons:alpha", "entity:*"}})
	if g, err := policy.VerifyGrant(mtrust, grant, clock.AddDate(0, 6, 0)); err != nil || g.Payment != "inv-7" || g.Use != (policy.GrantUse{Commercial: true, Seats: 4}) {
		t.Fatalf("grant: %v %+v", err, g)
	}
	post(t, ts, "/v1/grants", []byte(`{"entity":"acme","commercial":true}`), http.StatusUnprocessableEntity) // pay without payment

	alloc := post(t, ts, "/v1/payments", []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"inv-7"}`), http.StatusCreated)
	ptrust, _ := attest.NewTrust(attest.Rule{Key: samplePub("marketplace"), PredicateTypes: []string{payout.PredicateType}, Subjects: []string{"commons:alpha"}})
	a, err := payout.Verify(ptrust, alloc, clock)
	if err != nil || a.Association != 4800 || len(a.Shares) != 1 || a.Shares[0].Paid != 43200 {
		t.Fatalf("allocation: %v %+v", err, a)
	}
	post(t, ts, "/v1/payments", []byte(`{"payer":"acme","amount":48000,"currency":"EUR","reference":"inv-7"}`), http.StatusConflict)
	post(t, ts, "/v1/payments", []byte(`{"payer":"acme","amount":5,"currency":"USD","reference":"inv-8"}`), http.StatusUnprocessableEntity)

	resp, _ = http.Get(ts.URL + "/v1/commons/alpha/terms")
	terms, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(terms), `"id":"ppl-reciprocity"`) {
		t.Fatalf("terms: %d %s", resp.StatusCode, terms)
	}
	resp, _ = http.Get(ts.URL + "/v1/commons/zeta/terms")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown commons: %d", resp.StatusCode)
	}
	_ = s
}

// TestRestart: a new server over the same log answers byte for byte as the
// old one; a torn final record is detected, refused, and repaired on request.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	_, ts := start(t, dir, false)
	for _, ev := range evidence(t) {
		post(t, ts, "/v1/attestations", ev, http.StatusCreated)
	}
	post(t, ts, "/v1/payments", []byte(`{"payer":"acme","amount":1000,"currency":"EUR","reference":"inv-1"}`), http.StatusCreated)
	q := []byte(`{"entity":"acme","commercial":true,"seats":4}`)
	before := post(t, ts, "/v1/quotes", q, http.StatusOK)
	ts.Close()

	_, ts2 := start(t, dir, false)
	after := post(t, ts2, "/v1/quotes", q, http.StatusOK)
	if !bytes.Equal(before, after) {
		t.Fatalf("after restart:\n%s\nbefore:\n%s", after, before)
	}
	post(t, ts2, "/v1/payments", []byte(`{"payer":"acme","amount":1000,"currency":"EUR","reference":"inv-1"}`), http.StatusConflict)
	ts2.Close()

	// A crash mid-write leaves half a record at the end.
	path := filepath.Join(dir, "evidence.log")
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{0, 0, 1, 0, 1, 2, 3, 4, '{', '"'})
	f.Close()
	o := demoOptions(dir)
	o.now = func() time.Time { return clock }
	_, err := newServer(o)
	var torn *TornError
	if !errors.As(err, &torn) || torn.Reason != "body cut short" {
		t.Fatalf("torn record not reported: %v", err)
	}
	_, ts3 := start(t, dir, true)
	if got := post(t, ts3, "/v1/quotes", q, http.StatusOK); !bytes.Equal(got, before) {
		t.Fatalf("after repair:\n%s", got)
	}
}
