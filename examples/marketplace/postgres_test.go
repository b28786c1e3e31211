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

// TestFollowLateCommit: on PostgreSQL a record can commit after one with a
// later log position. A follower that has applied the later one still
// applies the earlier when it commits.
func TestFollowLateCommit(t *testing.T) {
	dsn := freshSchema(t)
	st, key, err := demoSetup()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var servers []*server
	for range 2 {
		db, err := openBackend(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := newServer(ctx, options{setup: st, key: key, db: db, now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, s)
	}
	writer, follower := servers[0], servers[1]
	ev := evidence(t)
	// A transaction takes a log position for acme's facts and stays open.
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	v, err := writer.trust.Verify(ev[0], attestVerifyAt(clock))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO evidence (digest, payload_type, predicate_type, established, signers, first_seen, envelope) VALUES ($1,$2,$3,'entity',$4,$5,$6)`,
		v.Digest, v.Envelope.PayloadType, v.Statement.PredicateType, strings.Join(v.Signers, "\n"), clock.UnixNano(), ev[0]); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another write, at a later position, commits and is followed.
	if _, err := writer.db.ingestEnvelope(ctx, writer, ev[2]); err != nil {
		t.Fatal(err)
	}
	if err := follower.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := follower.entities["acme"]; ok {
		t.Fatal("acme's facts applied before they committed")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := follower.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if e, ok := follower.entities["acme"]; !ok || e.Headcount.Value != 250 {
		t.Fatalf("the late commit was missed: %+v", e)
	}
}
