// Command marketplace is a small HTTP JSON backend that sells licenses to a
// commons the way a real marketplace would embed ppl:
//
//	POST /v1/attestations       verify a DSSE envelope, log it durably, index it
//	POST /v1/quotes             decide: free, pay (how much) or deny, with reasons
//	POST /v1/grants             decide and sign the decision as a grant
//	POST /v1/payments           record a payment and return its signed payout allocation
//	GET  /v1/commons/{id}/terms the commons' terms
//
// Run it on built-in sample data with
//
//	go run ./examples/marketplace -demo -data /tmp/market
//
// Everything accepted is appended to an evidence log (fsynced before the
// answer) in the data directory; on start the log is replayed, so a
// restarted server answers exactly as before. A torn final record stops the
// start with its offset; -repair truncates it. The server is the one place
// that reads the clock: each record keeps the time it was accepted at, and
// replay verifies at that time.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// options configure a server.
type options struct {
	dataDir string
	repair  bool
	now     func() time.Time
	terms   string
	commons contribution.Commons
	peers   []contribution.Commons
	rules   []attest.Rule
	key     ed25519.PrivateKey
	plan    payout.Plan
}

func newServer(o options) (*server, error) {
	terms, err := license.Builtin(o.terms)
	if err != nil {
		return nil, err
	}
	trust, err := attest.NewTrust(o.rules...)
	if err != nil {
		return nil, err
	}
	eval, err := policy.Compile(policy.Config{Terms: terms, Commons: o.commons, Peers: o.peers, Trust: trust})
	if err != nil {
		return nil, err
	}
	s := &server{now: o.now, terms: terms, eval: eval, trust: trust, commons: o.commons, key: o.key,
		ledger: contribution.NewLedger(nil), entities: map[string]contribution.Entity{}, payments: map[string]bool{},
		allocs: map[string]*payout.Allocation{}}
	plan := o.plan
	plan.Commons = o.commons
	s.plan = &plan
	for _, c := range append([]contribution.Commons{o.commons}, o.peers...) {
		if err := s.ledger.AddCommons(c); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(o.dataDir, 0o755); err != nil {
		return nil, err
	}
	l, torn, err := openLog(filepath.Join(o.dataDir, "evidence.log"), o.repair, func(body []byte) error {
		var rec record
		if err := decodeStrict(body, &rec); err != nil {
			return err
		}
		return s.apply(rec)
	})
	if err != nil {
		return nil, err
	}
	if torn != nil {
		log.Printf("repaired: %v", torn)
	}
	s.log = l
	return s, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	data := flag.String("data", "", "data directory for the evidence log (required)")
	demo := flag.Bool("demo", false, "serve the built-in sample commons with SAMPLE keys")
	repair := flag.Bool("repair", false, "truncate a torn final log record instead of refusing to start")
	keysDir := flag.String("write-sample-keys", "", "write the demo's SAMPLE private keys to this directory (for ppl sign) and exit")
	flag.Parse()
	if *keysDir != "" {
		if err := writeSampleKeys(*keysDir); err != nil {
			fmt.Fprintln(os.Stderr, "marketplace:", err)
			os.Exit(1)
		}
		return
	}
	if *data == "" || !*demo {
		fmt.Fprintln(os.Stderr, "marketplace: run with -demo -data DIR (configuration files are not supported yet)")
		os.Exit(2)
	}
	o := demoOptions(*data)
	o.repair = *repair
	o.now = time.Now
	s, err := newServer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "marketplace:", err)
		os.Exit(1)
	}
	srv := &http.Server{Addr: *addr, Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("marketplace for commons %q on http://%s (data in %s)", o.commons.ID, *addr, *data)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "marketplace:", err)
		os.Exit(1)
	}
	s.log.Close()
}

// sampleKey derives a SAMPLE key from a label: anyone can derive it, so it
// proves nothing outside the demo.
func sampleKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl marketplace SAMPLE key, not secret: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func samplePub(label string) ed25519.PublicKey { return sampleKey(label).Public().(ed25519.PublicKey) }

// demoOptions is the sample commons: "alpha" under PPL with reciprocity,
// recognising "beta" at half weight; stewards, a registrar and entity keys
// from SAMPLE seeds (ppl keygen makes real ones).
func demoOptions(dir string) options {
	alpha := contribution.Commons{ID: "alpha", Name: "Alpha", Stewards: []string{attest.KeyID(samplePub("steward-alpha"))},
		Recognises: []contribution.Recognition{{Commons: "beta", Weight: 500}}}
	beta := contribution.Commons{ID: "beta", Name: "Beta", Stewards: []string{attest.KeyID(samplePub("steward-beta"))}}
	return options{dataDir: dir, terms: "ppl-reciprocity", commons: alpha, peers: []contribution.Commons{beta},
		key: sampleKey("marketplace"),
		rules: []attest.Rule{
			{Key: samplePub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
			{Key: samplePub("steward-beta"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:beta"}},
			{Key: samplePub("registrar"), PredicateTypes: []string{contribution.EntityPredicateType}, Subjects: []string{"entity:*"}},
			{Key: samplePub("entity-acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
		},
		plan: payout.Plan{Currency: "EUR", Association: "alpha-association", AssociationBP: 1000,
			Window: 365 * 24 * time.Hour, HalfLife: 180 * 24 * time.Hour, IncludeRecognised: true, MinimumPayout: 500},
	}
}

// writeSampleKeys writes the demo's SAMPLE keys in OpenSSH format, so a
// newcomer can sign evidence for the demo with the ppl tool.
func writeSampleKeys(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, label := range []string{"steward-alpha", "steward-beta", "registrar", "entity-acme", "marketplace"} {
		k := sampleKey(label)
		b, err := attest.MarshalOpenSSHPrivateKey(k, "SAMPLE "+label, nil)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, label), b, 0o600); err != nil {
			return err
		}
		pub := attest.MarshalAuthorizedKey(k.Public().(ed25519.PublicKey), "SAMPLE "+label)
		if err := os.WriteFile(filepath.Join(dir, label+".pub"), pub, 0o644); err != nil {
			return err
		}
		fmt.Println(attest.KeyID(k.Public().(ed25519.PublicKey)), label)
	}
	return nil
}
