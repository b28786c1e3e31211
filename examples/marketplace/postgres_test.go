package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// freshSchema is a new schema on the PostgreSQL of PPL_TEST_POSTGRES (a
// postgres:// URL), dropped when the test ends.
func freshSchema(t *testing.T) string {
	dsn := os.Getenv("PPL_TEST_POSTGRES")
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		if os.Getenv("CI") == "true" {
			t.Fatal("PPL_TEST_POSTGRES must be a postgres:// URL in CI")
		}
		t.Skip("PPL_TEST_POSTGRES is not a postgres:// URL: the PostgreSQL tests of the service skip")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("ppl_market_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// TestSharedPostgres: three instances on one PostgreSQL. A payment
// reference posted to all at once is accepted by exactly one; an
// attestation posted to one is counted by the others within a second.
func TestSharedPostgres(t *testing.T) {
	dsn := freshSchema(t)
	st, key, err := demoSetup()
	if err != nil {
		t.Fatal(err)
	}
	tokFile := t.TempDir() + "/tokens"
	tok, err := createToken(tokFile, []string{ScopePayments})
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := loadTokens(tokFile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var urls []string
	for range 3 {
		db, err := openBackend(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := newServer(ctx, options{setup: st, key: key, db: db, tokens: tk, now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		go s.follow(ctx, 50*time.Millisecond)
		ts := httptest.NewServer(s.routes())
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL)
	}
	for round := range 5 {
		var wg sync.WaitGroup
		codes := make([]int, 3)
		for i, u := range urls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", u+"/v1/payments", strings.NewReader(fmt.Sprintf(`{"payer":"acme","amount":100,"currency":"EUR","reference":"shared-%d"}`, round)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				codes[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("payment: %d", c)
			}
		}
		if created != 1 {
			t.Fatalf("round %d: %d instances accepted one reference (%v)", round, created, codes)
		}
	}
	quote := func(u string) []byte {
		resp, err := http.Post(u+"/v1/quotes", "application/json", strings.NewReader(`{"entity":"acme","commercial":true,"seats":4}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return b.Bytes()
	}
	before := quote(urls[1])
	for _, ev := range evidence(t) {
		resp, err := http.Post(urls[0]+"/v1/attestations", "application/json", bytes.NewReader(ev))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := quote(urls[0])
	if bytes.Equal(want, before) {
		t.Fatal("the evidence changed nothing")
	}
	deadline := time.Now().Add(time.Second)
	for _, u := range urls[1:] {
		for !bytes.Equal(quote(u), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not count the evidence within 1 s", u)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
