package main

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/license"
)

var pplBin string

// TestMain builds the command once, so the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ppl-cli")
	if err != nil {
		panic(err)
	}
	pplBin = filepath.Join(dir, "ppl")
	if runtime.GOOS == "windows" {
		pplBin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", pplBin, ".").CombinedOutput(); err != nil {
		panic("building ppl: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type cli struct {
	t   *testing.T
	dir string
}

// run runs ppl in the test's directory and checks its exit status.
func (c *cli) run(wantCode int, args ...string) (stdout, stderr string) {
	c.t.Helper()
	cmd := exec.Command(pplBin, args...)
	cmd.Dir = c.dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	if code != wantCode {
		c.t.Fatalf("ppl %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, o.String(), e.String())
	}
	// Warnings may come first; the error itself is the last line, and one.
	if lines := strings.Split(strings.TrimSpace(e.String()), "\n"); code != 0 && !strings.HasPrefix(lines[len(lines)-1], "ppl: ") {
		c.t.Errorf("ppl %s: the error is not one last line: %q", strings.Join(args, " "), e.String())
	}
	return o.String(), e.String()
}

func (c *cli) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

const trustJSON = `{
  "commons": {"id": "alpha", "name": "Alpha", "stewards": ["steward.pub"],
              "recognises": [{"commons": "beta", "weight": 0.5}]},
  "peers": [{"id": "beta", "stewards": ["beta-steward.pub"]}],
  "rules": [
    {"key": "steward.pub", "predicates": ["contribution"], "subjects": ["commons:alpha"]},
    {"key": "beta-steward.pub", "predicates": ["contribution"], "subjects": ["commons:beta"]},
    {"key": "registrar.pub", "predicates": ["entity", "revocation"], "subjects": ["entity:*", "statement:*"]},
    {"key": "acme.pub", "predicates": ["membership"], "subjects": ["entity:acme"]},
    {"key": "market.pub", "predicates": ["grant"], "subjects": ["commons:alpha", "entity:*"]}
  ]
}`

// TestWalkthrough is the README's walkthrough: keygen, sign, verify,
// decide, grant, verify the grant, revoke.
func TestWalkthrough(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	ids := map[string]string{}
	for _, k := range []string{"steward", "beta-steward", "registrar", "acme", "dev", "market"} {
		out, _ := c.run(0, "keygen", "-o", k)
		ids[k] = strings.TrimSpace(out)
		if !strings.HasPrefix(ids[k], "SHA256:") {
			t.Fatalf("keygen printed %q", out)
		}
	}
	if out, _ := c.run(0, "fingerprint", "dev.pub"); strings.TrimSpace(out) != ids["dev"] {
		t.Fatalf("fingerprint %q != keygen %q", out, ids["dev"])
	}
	c.run(0, "keygen", "-format", "pem", "-o", "pemkey")
	c.run(2, "keygen", "-o", "dev") // exists
	c.write("trust.json", trustJSON)

	// Membership: the entity signs, then the member adds the second signature.
	c.run(0, "sign", "membership", "-key", "acme", "-entity", "acme", "-member", "dev.pub", "-from", "2025-01-01", "-o", "membership.json")
	c.run(0, "sign", "membership", "-key", "dev", "-add-to", "membership.json")
	c.run(2, "sign", "membership", "-key", "dev", "-add-to", "membership.json") // already signed
	c.run(0, "sign", "contribution", "-key", "steward", "-commons", "alpha", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "40", "-at", "2026-11-01", "-evidence", "gitCommit:9fceb02d0ae598e95dc970b74767f19372d61af8", "-o", "c1.json")
	c.write("c2-fields.json", `{"commons":"beta","contributor":"dev.pub","entity":"acme","kind":"code","quantity":"30","unit":"points","at":"2026-11-10T00:00:00Z"}`)
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-in", "c2-fields.json", "-o", "c2.json")

	out, _ := c.run(0, "verify", "-trust", "trust.json", "-at", "2026-11-25", "c1.json")
	if !strings.Contains(out, "verified sha256:") || !strings.Contains(out, ids["steward"]) {
		t.Fatalf("verify: %s", out)
	}
	// A contribution signed by the wrong steward is refused with the reason.
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "alpha", "-contributor", "dev.pub", "-kind", "code", "-quantity", "900", "-at", "2026-11-01", "-o", "forged.json")
	_, errOut := c.run(1, "verify", "-trust", "trust.json", "-at", "2026-11-25", "forged.json")
	if !strings.Contains(errOut, "not trusted for") {
		t.Fatalf("refusal reason: %s", errOut)
	}

	os.Mkdir(filepath.Join(c.dir, "evidence"), 0o755)
	for _, f := range []string{"membership.json", "c1.json", "c2.json", "forged.json"} {
		os.Rename(filepath.Join(c.dir, f), filepath.Join(c.dir, "evidence", f))
	}
	out, _ = c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-seats", "5", "-at", "2026-11-25", "evidence")
	if !strings.Contains(out, "acme: PAY") || !strings.Contains(out, "path to free") || !strings.Contains(out, "ignored: out of scope") {
		t.Fatalf("decide: %s", out)
	}
	j1, _ := c.run(0, "decide", "-json", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	j2, _ := c.run(0, "decide", "-json", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if j1 != j2 || !strings.HasPrefix(j1, `{"at":`) {
		t.Fatalf("decide -json not stable:\n%s\n%s", j1, j2)
	}

	grant, _ := c.run(0, "grant", "-key", "market", "-payment", "inv-1", "-until", "2027-11-25", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	c.write("grant.json", grant)
	out, _ = c.run(0, "verify", "-grant", "-trust", "trust.json", "-at", "2027-01-01", "grant.json")
	if !strings.Contains(out, `"Payment": "inv-1"`) && !strings.Contains(out, `"payment": "inv-1"`) {
		t.Fatalf("verify grant: %s", out)
	}
	if !strings.Contains(out, `"commercial": true`) || !strings.Contains(out, `"seats": 1`) {
		t.Fatalf("verify grant shows no use: %s", out)
	}
	c.run(1, "verify", "-grant", "-trust", "trust.json", "-at", "2028-01-01", "grant.json")
	// Presented back, the grant decides the use it was issued for, and not a larger one.
	out, _ = c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2027-01-01", "grant.json")
	if !strings.Contains(out, `acme: PAY 120.00 EUR per year — clause "grant"`) || strings.Contains(out, "ignored") {
		t.Fatalf("decide under the grant: %s", out)
	}
	out, _ = c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-seats", "1000", "-at", "2027-01-01", "grant.json")
	if !strings.Contains(out, "ignored: grant does not apply") || !strings.Contains(out, "seats") {
		t.Fatalf("decide beyond the grant: %s", out)
	}
	c.run(1, "grant", "-key", "market", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence") // pay without payment

	// The payment flows back: association 10%, the rest to the developer.
	out, errOut = c.run(0, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "10000", "-currency", "EUR", "-payer", "acme",
		"-reference", "inv-1", "-association", "alpha-assoc", "-at", "2026-11-25", "-explain", ids["dev"], "evidence")
	// Only the signed payout goes to stdout, so it can be piped or saved;
	// the explanation and what was ignored (named by file) go to stderr.
	if !strings.HasPrefix(out, `{"payload`) || strings.Count(out, "\n") != 1 {
		t.Fatalf("payout stdout is not one envelope: %s", out)
	}
	if !strings.Contains(errOut, "paid now: 9000") || !strings.Contains(errOut, "ignored evidence/forged.json") {
		t.Fatalf("payout stderr: %s", errOut)
	}
	c.run(0, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "10000", "-currency", "EUR", "-payer", "acme",
		"-reference", "inv-1", "-association", "alpha-assoc", "-at", "2026-11-25", "-o", "payout.json", "evidence")
	c.run(2, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "10000", "-currency", "EUR", "-payer", "acme",
		"-reference", "inv-1", "-association", "alpha-assoc", "-at", "2026-11-25", "-o", "payout.json", "evidence") // exists, no -f
	c.run(2, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "-5", "-payer", "acme", "-reference", "r", "-at", "2026-11-25", "evidence")

	// Commercial use outside CC BY-NC-SA's grant pays under a separate
	// license (a placeholder price); a denied use exits 1.
	if out, _ := c.run(0, "decide", "-terms", "CC-BY-NC-SA-4.0", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25"); !strings.Contains(out, "PAY") || !strings.Contains(out, "placeholder") {
		t.Fatalf("decide under CC BY-NC-SA: %s", out)
	}
	c.write("never.json", `{"id":"never","name":"Never","version":"1","source":"https://example.com/never","clauses":[{"id":"no-use","effect":"deny","text":"No use is licensed."}]}`)
	c.run(1, "decide", "-terms", "never.json", "-trust", "trust.json", "-entity", "acme", "-at", "2026-11-25")

	// The registrar revokes the contribution; verify then refuses it.
	c.run(0, "sign", "entity", "-key", "registrar", "-entity", "acme", "-kind", "for-profit", "-headcount", "250", "-as-of", "2026-10-01", "-o", "acme-facts.json")
	out, _ = c.run(0, "verify", "-trust", "trust.json", "-at", "2026-11-25", "acme-facts.json")
	if strings.Contains(out, "workerOwned") {
		t.Fatalf("an unstated fact was signed: %s", out)
	}
	c.run(0, "sign", "entity", "-key", "registrar", "-entity", "coop", "-kind", "worker-cooperative", "-worker-owned", "-surplus-to-workers=true", "-as-of", "2026-10-01", "-o", "coop-facts.json")
	if out, _ = c.run(0, "verify", "-trust", "trust.json", "-at", "2026-11-25", "coop-facts.json"); !strings.Contains(out, `"workerOwned":true`) {
		t.Fatalf("stated fact missing: %s", out)
	}
	c.run(0, "sign", "revocation", "-key", "registrar", "-statement", "sha256:"+strings.Repeat("ab", 32), "-reason", "test", "-o", "rev.json")
	c.run(0, "verify", "-trust", "trust.json", "-at", "2026-11-25", "rev.json")
}

func TestTermsCommands(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	out, _ := c.run(0, "terms", "list")
	if strings.Count(out, "\n") != len(license.Builtins()) {
		t.Fatalf("terms list: %s", out)
	}
	out, _ = c.run(0, "terms", "show", "ppl")
	c.write("ppl.json", out)
	if out, _ = c.run(0, "terms", "check", "ppl.json"); !strings.Contains(out, "ok") {
		t.Fatalf("check: %s", out)
	}
	c.write("bad.json", `{"id":"x","name":"x","version":"1","source":"https://x","clauses":[
	  {"id":"a","effect":"free","text":"t"},{"id":"a","effect":"pay","text":"t"}]}`)
	out, errOut := c.run(1, "terms", "check", "bad.json")
	for _, want := range []string{"/clauses/1:", "/clauses/1/id:", "/clauses/1/price:"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "problem") {
		t.Errorf("stderr: %s", errOut)
	}
	c.run(2, "terms", "show", "gpl")
}

func TestUsageErrorsAndHelp(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	c.run(2)
	c.run(2, "frobnicate")
	c.run(2, "decide", "-entity", "x")
	c.run(2, "verify", "-trust", "nope.json", "-at", "2026-01-01", "x")
	c.run(2, "sign", "contribution", "-key", "missing")
	c.run(2, "decide", "-at", "yesterday")
	for _, cmd := range [][]string{{"keygen", "-h"}, {"decide", "-h"}, {"verify", "-h"}, {"sign", "contribution", "-h"}, {"grant", "-h"}, {"fingerprint", "-h"}, {"sign", "-ssh", "-h"}} {
		out, _ := c.run(0, cmd...)
		if !strings.Contains(out, "usage: ppl") {
			t.Errorf("%v: no usage: %s", cmd, out)
		}
	}
	if out, _ := c.run(0, "help", "trust"); !strings.Contains(out, "rules") {
		t.Error("help trust")
	}
}

func TestSSHSignatures(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ssh-keygen not installed (%v); CI must install it", err)
		}
		t.Skipf("ssh-keygen not installed (%v); CI installs it", err)
	}
	c := &cli{t: t, dir: t.TempDir()}
	c.run(0, "keygen", "-o", "me")
	c.write("commit.txt", "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	c.run(0, "sign", "-ssh", "-key", "me", "commit.txt") // in attest.SSHNamespace
	pubLine, _ := os.ReadFile(filepath.Join(c.dir, "me.pub"))
	c.write("allowed_signers", "me@example "+string(pubLine))
	if out, _ := c.run(0, "verify", "-ssh", "-allowed-signers", "allowed_signers", "-I", "me@example", "-sig", "commit.txt.sig", "-at", "2026-11-25", "commit.txt"); !strings.Contains(out, attest.SSHNamespace) {
		t.Fatalf("verify -ssh in the default namespace: %s", out)
	}
	// ssh-keygen verifies ours…
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", "allowed_signers", "-I", "me@example", "-n", attest.SSHNamespace, "-s", "commit.txt.sig")
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify: %v %s", err, out)
	}
	// …and ours verifies ssh-keygen's.
	c.write("commit2.txt", "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	cmd = exec.Command("ssh-keygen", "-Y", "sign", "-q", "-f", "me", "-n", "git", "commit2.txt")
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v %s", err, out)
	}
	out, _ := c.run(0, "verify", "-ssh", "-allowed-signers", "allowed_signers", "-I", "me@example", "-n", "git", "-sig", "commit2.txt.sig", "-at", "2026-11-25", "commit2.txt")
	if !strings.HasPrefix(out, "Good") {
		t.Fatalf("verify -ssh: %s", out)
	}
	c.run(1, "verify", "-ssh", "-allowed-signers", "allowed_signers", "-I", "someone@else", "-n", "git", "-sig", "commit2.txt.sig", "-at", "2026-11-25", "commit2.txt")
}

// TestRevocations: revocations listed in the trust file and revocations
// among the evidence are applied before anything is decided or verified,
// and one that cannot be applied is an error naming its file.
func TestRevocations(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"steward", "beta-steward", "registrar", "acme", "dev", "market"} {
		c.run(0, "keygen", "-o", k)
	}
	trust := strings.Replace(trustJSON, `"subjects": ["entity:*", "statement:*"]`, `"subjects": ["entity:*", "statement:*", "key:*"]`, 1)
	c.write("trust.json", trust)
	os.Mkdir(filepath.Join(c.dir, "evidence"), 0o755)
	c.run(0, "sign", "membership", "-key", "acme", "-entity", "acme", "-member", "dev.pub", "-from", "2025-01-01", "-o", "evidence/membership.json")
	c.run(0, "sign", "membership", "-key", "dev", "-add-to", "evidence/membership.json")
	c.run(0, "sign", "contribution", "-key", "steward", "-commons", "alpha", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "400", "-at", "2026-11-01", "-o", "evidence/c1.json")
	before, _ := c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(before, "acme: FREE") {
		t.Fatalf("before the revocation: %s", before)
	}

	// The registrar revokes the steward's key from 2026-11-15: the command
	// line records no first-seen times, so the contribution counts no more.
	c.run(0, "sign", "revocation", "-key", "registrar", "-revoke-key", "steward.pub", "-from", "2026-11-15", "-reason", "key lost", "-o", "evidence/revoke-steward.json")
	after, _ := c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(after, "acme: PAY") || !strings.Contains(after, "ignored: revoked") || strings.Contains(after, "wrong type") {
		t.Fatalf("revocation in the evidence not applied: %s", after)
	}
	// Decided at a time before the revocation, the contribution counts.
	if out, _ := c.run(0, "decide", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-10", "evidence"); !strings.Contains(out, "acme: FREE") {
		t.Fatalf("before the revocation's time: %s", out)
	}

	// The same revocation listed in the trust file.
	os.Rename(filepath.Join(c.dir, "evidence", "revoke-steward.json"), filepath.Join(c.dir, "revoke-steward.json"))
	c.write("trust-revoked.json", strings.Replace(trust, `"rules":`, `"revocations": ["revoke-steward.json"], "rules":`, 1))
	c.run(0, "verify", "-trust", "trust.json", "-at", "2026-11-25", "evidence/c1.json")
	if _, errOut := c.run(1, "verify", "-trust", "trust-revoked.json", "-at", "2026-11-25", "evidence/c1.json"); !strings.Contains(errOut, "revoked") {
		t.Fatalf("verify with the trust file's revocation: %s", errOut)
	}

	// A revocation nobody trusted signed is not passed over in silence.
	c.run(0, "sign", "revocation", "-key", "dev", "-revoke-key", "steward.pub", "-from", "2026-11-15", "-o", "evidence/forged-revocation.json")
	if _, errOut := c.run(1, "decide", "-trust", "trust.json", "-entity", "acme", "-at", "2026-11-25", "evidence"); !strings.Contains(errOut, "forged-revocation.json") {
		t.Fatalf("untrusted revocation: %s", errOut)
	}
	// Nor is one listed in the trust file: that is a configuration error.
	os.Rename(filepath.Join(c.dir, "evidence", "forged-revocation.json"), filepath.Join(c.dir, "forged-revocation.json"))
	c.write("trust-forged.json", strings.Replace(trust, `"rules":`, `"revocations": ["forged-revocation.json"], "rules":`, 1))
	if _, errOut := c.run(2, "decide", "-trust", "trust-forged.json", "-entity", "acme", "-at", "2026-11-25", "evidence"); !strings.Contains(errOut, "forged-revocation.json") {
		t.Fatalf("untrusted revocation in the trust file: %s", errOut)
	}
}

// forger signs anything under the identity key (0x01, then 31 zero bytes)
// with R = identity, S = 0, which crypto/ed25519 accepts for any message.
type forger struct{}

func (forger) Public() crypto.PublicKey {
	return ed25519.PublicKey(append([]byte{1}, make([]byte, 31)...))
}
func (forger) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...), nil
}

func TestVerifySSHRefusesIdentityForgery(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	msg := "pay nothing\n"
	sig, err := attest.SignSSH(forger{}, attest.SSHNamespace, []byte(msg), "")
	if err != nil {
		t.Fatal(err)
	}
	c.write("msg", msg)
	c.write("msg.sig", string(sig))
	c.write("allowed_signers", "mallory@example "+string(attest.MarshalAuthorizedKey(forger{}.Public().(ed25519.PublicKey), "")))
	_, stderr := c.run(1, "verify", "-ssh", "-allowed-signers", "allowed_signers", "-I", "mallory@example", "-sig", "msg.sig", "-at", "2026-11-25", "msg")
	if !strings.Contains(stderr, "weak") {
		t.Fatalf("refusal does not say the key is weak: %s", stderr)
	}
}
