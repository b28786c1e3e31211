// Command marketplace is an HTTP JSON service that sells licenses to a
// commons the way a real marketplace would embed ppl, and can be run as one:
//
//	POST /v1/attestations        public, rate-limited: verify a DSSE envelope and store it
//	POST /v1/quotes              public: decide free, pay (how much) or deny, with reasons
//	POST /access/v1/evaluation   public: the same decision as an OpenID AuthZEN 1.0 evaluation
//	POST /v1/grants/verify       public: whether this marketplace signed a grant and it holds now
//	GET  /v1/commons/{id}/terms  public: the commons' terms
//	POST /v1/grants              scope grants: sign a decision made now as a grant
//	GET  /v1/grants/{digest}     scope grants: a grant issued
//	POST /v1/payments            scope payments: record a payment, return its signed allocation
//	GET  /v1/payments/{ref}      scope payments: a payment and its allocation
//	GET  /healthz /readyz /metrics
//
// Everything accepted is stored in contribution/sqlstore (a SQLite file by
// default, PostgreSQL with -db postgres://…) before the answer. The ledger
// quotes are made from is an in-memory index of the store's evidence log,
// rebuilt at start in log order, each record verified at the time the store
// first saw it, so a restarted server answers as before. The server is the
// one place that reads the clock.
//
// Real use: -manifests DIR (signed commons manifests), -key FILE (or
// -agent-key PUB with SSH_AUTH_SOCK), -db, -tokens FILE (made with
// "marketplace token create"), -tls-cert/-tls-key; or the same as a JSON
// -config file. -demo serves built-in sample data with keys anyone can
// derive from this source, and says so loudly.
package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh/agent"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// config is the service's configuration: the flags, or the same names in a
// JSON -config file (flags given on the command line win).
type config struct {
	Addr       string  `json:"addr"`
	DB         string  `json:"db"`
	Manifests  string  `json:"manifests"`
	Commons    string  `json:"commons"`
	Key        string  `json:"key"`
	AgentKey   string  `json:"agentKey"`
	Tokens     string  `json:"tokens"`
	TLSCert    string  `json:"tlsCert"`
	TLSKey     string  `json:"tlsKey"`
	AttestRate float64 `json:"attestRate"`
	PublicRate float64 `json:"publicRate"`
	Burst      int     `json:"burst"`
	Drain      string  `json:"drain"`
	Follow     string  `json:"follow"`
	Demo       bool    `json:"demo"`
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "token":
			os.Exit(tokenCmd(os.Args[2:]))
		case "export":
			os.Exit(exportCmd(os.Args[2:]))
		}
	}
	os.Exit(run(os.Args[1:]))
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "marketplace:", err)
	return 1
}

func tokenCmd(args []string) int {
	fs := flag.NewFlagSet("marketplace token create", flag.ContinueOnError)
	file := fs.String("tokens", "", "token file to append the new token's hash to (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes: "+strings.Join(knownScopes, ", "))
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(os.Stderr, "usage: marketplace token create -tokens FILE -scopes payments,grants")
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *file == "" {
		fmt.Fprintln(os.Stderr, "marketplace token create: -tokens FILE is required")
		return 2
	}
	tok, err := createToken(*file, strings.Split(*scopes, ","))
	if err != nil {
		return fail(err)
	}
	fmt.Println(tok)
	fmt.Fprintln(os.Stderr, "marketplace: the token is shown once; only its hash is stored in", *file)
	return 0
}

// exportCmd writes the evidence log as JSON lines, for backup next to the
// database's own, or to move to another database.
func exportCmd(args []string) int {
	fs := flag.NewFlagSet("marketplace export", flag.ContinueOnError)
	dsn := fs.String("db", "", "database: a SQLite file or a postgres:// URL")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx := context.Background()
	db, err := openBackend(ctx, *dsn)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	var seq int64
	for {
		recs, err := db.since(ctx, seq, 500)
		if err != nil {
			return fail(err)
		}
		if len(recs) == 0 {
			return 0
		}
		for _, r := range recs {
			line, err := canonjson.Marshal(map[string]any{"seq": r.seq, "firstSeen": r.firstSeen, "envelope": string(r.envelope)})
			if err != nil {
				return fail(err)
			}
			os.Stdout.Write(append(line, '\n'))
			seq = r.seq
		}
	}
}

func run(args []string) int {
	fs := flag.NewFlagSet("marketplace", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "JSON configuration file with the flags' names as members")
	var c config
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.DB, "db", "", "database: a SQLite file path (default) or a postgres:// URL (required)")
	fs.StringVar(&c.Manifests, "manifests", "", "directory of signed commons manifests (every version of each commons)")
	fs.StringVar(&c.Commons, "commons", "", "the commons to serve, when -manifests holds several")
	fs.StringVar(&c.Key, "key", "", "the marketplace's Ed25519 signing key (OpenSSH or PKCS#8 file)")
	fs.StringVar(&c.AgentKey, "agent-key", "", "instead of -key: the public key file of a key held by ssh-agent (SSH_AUTH_SOCK)")
	fs.StringVar(&c.Tokens, "tokens", "", "operator token file (marketplace token create); without it only public routes answer")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate chain (PEM); with -tls-key, serve HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key (PEM)")
	fs.Float64Var(&c.AttestRate, "attest-rate", 5, "attestations a second per client address (0: unlimited)")
	fs.Float64Var(&c.PublicRate, "public-rate", 50, "public requests a second per client address (0: unlimited)")
	fs.IntVar(&c.Burst, "burst", 20, "requests a client may burst above its rate")
	fs.StringVar(&c.Drain, "drain", "20s", "how long shutdown waits for requests in flight")
	fs.StringVar(&c.Follow, "follow", "500ms", "on PostgreSQL: how often to apply what other instances stored")
	fs.BoolVar(&c.Demo, "demo", false, "serve the built-in sample commons with SAMPLE keys anyone can derive (never in production)")
	keysDir := fs.String("write-sample-keys", "", "write the demo's SAMPLE private keys to this directory (for ppl sign) and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *keysDir != "" {
		if err := writeSampleKeys(*keysDir); err != nil {
			return fail(err)
		}
		return 0
	}
	if *cfgFile != "" {
		if err := readConfig(*cfgFile, fs, &c); err != nil {
			return fail(err)
		}
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	drain, err := time.ParseDuration(c.Drain)
	if err != nil {
		return fail(fmt.Errorf("-drain: %w", err))
	}
	follow, err := time.ParseDuration(c.Follow)
	if err != nil || follow <= 0 {
		return fail(fmt.Errorf("-follow %q: want a positive duration", c.Follow))
	}
	o, err := configure(c, log)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openBackend(ctx, c.DB)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	o.db = db
	s, err := newServer(ctx, o)
	if err != nil {
		return fail(err)
	}
	if db.shared() {
		go s.follow(ctx, follow)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fail(err)
	}
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: maxHeaderRead,
		ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: 60 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	go func() {
		if c.TLSCert != "" {
			served <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	log.Info("serving", "commons", s.commons.ID, "url", scheme+"://"+ln.Addr().String(), "marketplace_key", attest.KeyID(s.pub), "db_shared", db.shared())
	select {
	case err := <-served:
		return fail(err)
	case <-ctx.Done():
	}
	// Stop accepting, then wait for every request in flight to finish
	// before the store closes under them.
	log.Info("shutting down", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("drain deadline passed; closing connections", "err", err)
		srv.Close()
		return 1
	}
	log.Info("drained")
	return 0
}

// readConfig fills c from a JSON file, strictly, leaving alone what was set
// on the command line.
func readConfig(path string, fs *flag.FlagSet, c *config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var fc config
	if err := canonjson.Decode(data, &fc, canonjson.Limits{}); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	merge := func(flagName string, dst *string, v string) {
		if !set[flagName] && v != "" {
			*dst = v
		}
	}
	merge("addr", &c.Addr, fc.Addr)
	merge("db", &c.DB, fc.DB)
	merge("manifests", &c.Manifests, fc.Manifests)
	merge("commons", &c.Commons, fc.Commons)
	merge("key", &c.Key, fc.Key)
	merge("agent-key", &c.AgentKey, fc.AgentKey)
	merge("tokens", &c.Tokens, fc.Tokens)
	merge("tls-cert", &c.TLSCert, fc.TLSCert)
	merge("tls-key", &c.TLSKey, fc.TLSKey)
	merge("drain", &c.Drain, fc.Drain)
	merge("follow", &c.Follow, fc.Follow)
	if !set["attest-rate"] && fc.AttestRate != 0 {
		c.AttestRate = fc.AttestRate
	}
	if !set["public-rate"] && fc.PublicRate != 0 {
		c.PublicRate = fc.PublicRate
	}
	if !set["burst"] && fc.Burst != 0 {
		c.Burst = fc.Burst
	}
	if !set["demo"] && fc.Demo {
		c.Demo = true
	}
	return nil
}

// configure turns a configuration into server options (all but the store).
func configure(c config, log *slog.Logger) (options, error) {
	o := options{now: time.Now, log: log, attestRate: c.AttestRate, publicRate: c.PublicRate, burst: c.Burst}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return o, errors.New("give -tls-cert and -tls-key together")
	}
	var err error
	if o.tokens, err = loadTokens(c.Tokens); err != nil {
		return o, err
	}
	if len(o.tokens.byID) == 0 {
		log.Warn("no operator tokens: payments and grants answer 401 (make one with 'marketplace token create -tokens FILE')", "tokens", c.Tokens)
	}
	if c.Demo {
		if c.Manifests != "" || c.Key != "" || c.AgentKey != "" {
			return o, errors.New("-demo serves sample data with sample keys: it takes no -manifests, -key or -agent-key")
		}
		log.Warn("DEMO MODE: the commons and every key, the marketplace's included, are derived from strings in the public source; " +
			"anyone can forge its evidence and grants. Never take money in this mode.")
		o.setup, o.key, err = demoSetup()
		return o, err
	}
	if c.Manifests == "" {
		return o, errors.New("-manifests DIR is required (or -demo, for the walkthrough only)")
	}
	if o.setup, err = loadManifests(c.Manifests, c.Commons, time.Now()); err != nil {
		return o, fmt.Errorf("-manifests: %w", err)
	}
	switch {
	case c.Key != "" && c.AgentKey != "":
		return o, errors.New("give -key or -agent-key, not both")
	case c.Key != "":
		data, err := os.ReadFile(c.Key)
		if err != nil {
			return o, err
		}
		k, err := attest.ParsePrivateKey(data, nil)
		if err != nil {
			return o, fmt.Errorf("-key %s: %w", c.Key, err)
		}
		o.key = k
	case c.AgentKey != "":
		data, err := os.ReadFile(c.AgentKey)
		if err != nil {
			return o, err
		}
		pub, err := attest.ParsePublicKey(data)
		if err != nil {
			return o, fmt.Errorf("-agent-key %s: %w", c.AgentKey, err)
		}
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return o, errors.New("-agent-key: SSH_AUTH_SOCK is not set")
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return o, fmt.Errorf("-agent-key: %w", err)
		}
		if o.key, err = attest.AgentSigner(agent.NewClient(conn), pub); err != nil {
			return o, fmt.Errorf("-agent-key: %w", err)
		}
	default:
		return o, errors.New("-key FILE or -agent-key PUB is required: the marketplace signs grants and allocations")
	}
	return o, nil
}

// sampleKey derives a SAMPLE key from a label: anyone can derive it, so it
// proves nothing outside the demo.
func sampleKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl marketplace SAMPLE key, not secret: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func samplePub(label string) ed25519.PublicKey { return sampleKey(label).Public().(ed25519.PublicKey) }

// demoSetup is the sample commons: "alpha" under PPL with reciprocity,
// recognising "beta" at half weight; stewards, a registrar and entity keys
// from SAMPLE seeds (ppl keygen makes real ones).
func demoSetup() (setup, crypto.Signer, error) {
	alpha := contribution.Commons{ID: "alpha", Name: "Alpha", Stewards: []string{attest.KeyID(samplePub("steward-alpha"))},
		Recognises: []contribution.Recognition{{Commons: "beta", Weight: 500}}}
	beta := contribution.Commons{ID: "beta", Name: "Beta", Stewards: []string{attest.KeyID(samplePub("steward-beta"))}}
	terms, err := license.Builtin("ppl-reciprocity")
	if err != nil {
		return setup{}, nil, err
	}
	trust, err := attest.NewTrust(
		attest.Rule{Key: samplePub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: samplePub("steward-beta"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:beta"}},
		attest.Rule{Key: samplePub("registrar"), PredicateTypes: []string{contribution.EntityPredicateType}, Subjects: []string{"entity:*"}},
		attest.Rule{Key: samplePub("entity-acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
	)
	if err != nil {
		return setup{}, nil, err
	}
	peers := []contribution.Commons{beta}
	eval, err := policy.Compile(policy.Config{Terms: terms, Commons: alpha, Peers: peers, Trust: trust})
	if err != nil {
		return setup{}, nil, err
	}
	plan := &payout.Plan{Commons: alpha, Currency: "EUR", Association: "alpha-association", AssociationBP: 1000,
		Window: 365 * 24 * time.Hour, HalfLife: 180 * 24 * time.Hour, IncludeRecognised: true, MinimumPayout: 500}
	return setup{terms: terms, commons: alpha, peers: peers, trust: trust, eval: eval, plan: plan}, sampleKey("marketplace"), nil
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
