package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestCrash: servers kill -9'ed at random moments under concurrent
// writers, round after round on one database. Every record a server
// acknowledged is there after the restart, and a restarted server quotes
// byte for byte what the one before it answered last.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "ppl.db")
	tokFile := filepath.Join(dir, "tokens")
	tok, err := createToken(tokFile, []string{ScopePayments})
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-demo", "-db", db, "-tokens", tokFile, "-attest-rate", "0", "-public-rate", "0"}
	rng := rand.New(rand.NewPCG(18, 9))
	quote := []byte(`{"entity":"acme","commercial":true,"seats":4,"at":"2026-11-25T12:00:00Z"}`)
	ask := func(c *child) []byte {
		resp, err := http.Post(c.url+"/v1/quotes", "application/json", bytes.NewReader(quote))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("quote: %d %s", resp.StatusCode, b)
		}
		return b
	}
	var mu sync.Mutex
	var ackedEnv [][]byte
	var ackedPay []string
	var last []byte
	n := 0
	const rounds = 12
	for round := range rounds {
		c := startChild(t, args...)
		// Acknowledged records from every earlier round are all there:
		// posting an attestation again answers 200 (already held), a
		// payment's reference is found.
		for _, env := range ackedEnv {
			resp, err := http.Post(c.url+"/v1/attestations", "application/json", bytes.NewReader(env))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("round %d: an acknowledged attestation answers %d, not 200 (already held)", round, resp.StatusCode)
			}
		}
		for _, ref := range ackedPay {
			req, _ := http.NewRequest("GET", c.url+"/v1/payments/"+ref, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("round %d: acknowledged payment %s: %d", round, ref, resp.StatusCode)
			}
		}
		if last != nil {
			if got := ask(c); !bytes.Equal(got, last) {
				t.Fatalf("round %d: quote after kill -9 and restart:\n%s\nlast live answer:\n%s", round, got, last)
			}
		}
		// Writers, then a kill -9 at a random moment among them.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					n++
					id := n
					mu.Unlock()
					var body []byte
					var path, ref string
					req := func() *http.Request {
						r, _ := http.NewRequest("POST", c.url+path, bytes.NewReader(body))
						r.Header.Set("Content-Type", "application/json")
						return r
					}
					if w == 0 && i%3 == 0 {
						ref = fmt.Sprintf("crash-%d", id)
						path, body = "/v1/payments", []byte(`{"payer":"acme","amount":1000,"currency":"EUR","reference":"`+ref+`"}`)
					} else {
						path, body = "/v1/attestations", crashEvidence(t, id, i%2 == 0)
					}
					r := req()
					if ref != "" {
						r.Header.Set("Authorization", "Bearer "+tok)
					}
					resp, err := http.DefaultClient.Do(r)
					if err != nil {
						return // the server was killed
					}
					resp.Body.Close()
					if resp.StatusCode == http.StatusCreated {
						mu.Lock()
						if ref != "" {
							ackedPay = append(ackedPay, ref)
						} else {
							ackedEnv = append(ackedEnv, body)
						}
						mu.Unlock()
					} else if resp.StatusCode != http.StatusOK {
						t.Errorf("round %d: %s: %d", round, path, resp.StatusCode)
					}
				}
			}()
		}
		time.Sleep(time.Duration(20+rng.IntN(200)) * time.Millisecond)
		c.cmd.Process.Kill()
		close(stop)
		wg.Wait()
		<-c.done
		// Restart, take the live answer, and kill it idle: the next round
		// must answer the same.
		c = startChild(t, args...)
		last = ask(c)
		c.cmd.Process.Signal(os.Kill)
		<-c.done
	}
	t.Logf("%d rounds: %d attestations and %d payments acknowledged, none lost", rounds, len(ackedEnv), len(ackedPay))
}

// crashEvidence is a contribution to alpha by a developer of acme, or the
// developer's membership of acme.
func crashEvidence(t *testing.T, id int, member bool) []byte {
	dev := samplePub(fmt.Sprintf("crash-dev-%d", id%7))
	if member {
		m, _ := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", From: clock.AddDate(-1, 0, -id)}, dev)
		return signed(t, m, "entity-acme", fmt.Sprintf("crash-dev-%d", id%7))
	}
	c, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(dev), Kind: "code",
		Quantity: contribution.Quantity(100 + id), Unit: "points", At: clock.AddDate(0, 0, -1-id%300)})
	return signed(t, c, "steward-alpha")
}
