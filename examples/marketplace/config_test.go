package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/policy/manifest"
)

// writeManifests writes a signed manifest of commons alpha whose steward
// and registrar are the demo's sample keys, in force now (configure judges
// manifests by the real clock), and the marketplace key file.
func writeManifests(t *testing.T, dir string) (manifests, keyFile string) {
	t.Helper()
	terms, err := manifest.BuiltinTerms("ppl-reciprocity")
	if err != nil {
		t.Fatal(err)
	}
	k := func(label string) manifest.Key { return manifest.Key{Public: samplePub(label), Comment: label} }
	now := time.Now().UTC().Truncate(time.Second)
	m := &manifest.Manifest{ID: "alpha", Name: "Alpha", Version: 1, IssuedAt: now.AddDate(0, 0, -1), Expires: now.AddDate(1, 0, 0), Terms: terms,
		Roles: manifest.Roles{Root: []manifest.Key{k("root-alpha")}, RootThreshold: 1, Stewards: []manifest.Key{k("steward-alpha")},
			Registrars: []manifest.Key{k("registrar")}, GrantSigners: []manifest.Key{k("real-market")}},
		Payout: &manifest.Payout{Currency: "EUR", Association: "alpha-association", AssociationBP: 1000, WindowDays: 365, HalfLifeDays: 180, MinimumPayout: 500}}
	env, err := manifest.Sign(m, sampleKey("root-alpha"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := env.MarshalJSON()
	manifests = filepath.Join(dir, "manifests")
	os.MkdirAll(manifests, 0o755)
	if err := os.WriteFile(filepath.Join(manifests, "alpha-1.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	kb, err := attest.MarshalOpenSSHPrivateKey(sampleKey("real-market"), "market", nil)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, "market")
	if err := os.WriteFile(keyFile, kb, 0o600); err != nil {
		t.Fatal(err)
	}
	return manifests, keyFile
}

func parseFlags(t *testing.T, cfgFile string, args ...string) (config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var c config
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "")
	fs.StringVar(&c.DB, "db", "", "")
	fs.StringVar(&c.Key, "key", "", "")
	fs.BoolVar(&c.Demo, "demo", false, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return c, readConfig(cfgFile, fs, &c)
}

// TestConfigure: a config file names manifests and a key; flags given on
// the command line win over it; a config file with a misspelt or
// duplicated member is refused, naming it; -demo does not mix with real keys.
func TestConfigure(t *testing.T) {
	dir := t.TempDir()
	manifests, keyFile := writeManifests(t, dir)
	cfgFile := filepath.Join(dir, "config.json")
	os.WriteFile(cfgFile, []byte(`{"addr":"127.0.0.1:9999","db":"`+filepath.Join(dir, "a.db")+`","manifests":"`+manifests+`","key":"`+keyFile+`"}`), 0o644)
	c, err := parseFlags(t, cfgFile, "-addr", "127.0.0.1:7777")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7777" || c.Key != keyFile {
		t.Fatalf("merged config: %+v", c)
	}
	o, err := configure(c, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if o.setup.commons.ID != "alpha" || o.setup.plan == nil || attest.KeyID(o.key.Public().(ed25519.PublicKey)) != attest.KeyID(samplePub("real-market")) {
		t.Fatalf("configured: commons %q plan %v key %s", o.setup.commons.ID, o.setup.plan, attest.KeyID(o.key.Public().(ed25519.PublicKey)))
	}
	for _, body := range []string{`{"adr":"x"}`, `{"addr":"x","Addr":"y"}`, `{"addr":"x","addr":"y"}`} {
		os.WriteFile(cfgFile, []byte(body), 0o644)
		_, err := parseFlags(t, cfgFile)
		var je *canonjson.Error
		if !errors.As(err, &je) || je.Pointer == "" {
			t.Errorf("config %s: %v, want a *canonjson.Error with a pointer", body, err)
		}
	}
	for _, c := range []config{
		{Demo: true, Key: keyFile},
		{Manifests: manifests},
		{Manifests: manifests, Key: keyFile, AgentKey: keyFile + ".pub"},
		{Manifests: manifests, Key: keyFile, TLSCert: "cert.pem"},
		{},
	} {
		if _, err := configure(c, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("configure(%+v) accepted", c)
		}
	}
}

// TestServeTLSFromManifests: the real binary, configured by a file from
// signed manifests and a key file, serving HTTPS.
func TestServeTLSFromManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	manifests, keyFile := writeManifests(t, dir)
	certFile, keyPEM, pool := selfSigned(t, dir)
	cfgFile := filepath.Join(dir, "config.json")
	cfg, _ := canonjson.Marshal(map[string]any{"db": filepath.Join(dir, "ppl.db"), "manifests": manifests, "key": keyFile,
		"tlsCert": certFile, "tlsKey": keyPEM})
	os.WriteFile(cfgFile, cfg, 0o644)
	c := startChild(t, "-config", cfgFile)
	if !strings.HasPrefix(c.url, "https://") {
		t.Fatalf("url %s", c.url)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	st, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(samplePub("dev")), Kind: "code",
		Quantity: 10, Unit: "points", At: time.Now().AddDate(0, 0, -1)})
	resp, err := client.Post(c.url+"/v1/attestations", "application/json", strings.NewReader(string(signed(t, st, "steward-alpha"))))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("attestation over TLS: %d %s", resp.StatusCode, b)
	}
	// The demo's steward of beta is nobody here.
	st2, _ := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: attest.KeyID(samplePub("dev")), Kind: "code",
		Quantity: 10, Unit: "points", At: time.Now().AddDate(0, 0, -2)})
	resp, err = client.Post(c.url+"/v1/attestations", "application/json", strings.NewReader(string(signed(t, st2, "steward-beta"))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("untrusted steward: %d", resp.StatusCode)
	}
	if strings.Contains(c.logs.String(), "DEMO") {
		t.Fatalf("a configured server logs demo mode:\n%s", c.logs)
	}
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kd, _ := x509.MarshalPKCS8PrivateKey(k)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600)
	return certFile, keyFile, pool
}
