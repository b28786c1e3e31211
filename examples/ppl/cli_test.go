package main

import (
	"bytes"
	"github.com/peerproduction/ppl/license"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
	if code != 0 && strings.Count(strings.TrimSpace(e.String()), "\n") != 0 {
		c.t.Errorf("ppl %s: error is not one line: %q", strings.Join(args, " "), e.String())
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
	c.run(1, "verify", "-grant", "-trust", "trust.json", "-at", "2028-01-01", "grant.json")
	c.run(1, "grant", "-key", "market", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence") // pay without payment

	// The payment flows back: association 10%, the rest to the developer.
	out, _ = c.run(0, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "10000", "-currency", "EUR", "-payer", "acme",
		"-reference", "inv-1", "-association", "alpha-assoc", "-at", "2026-11-25", "-explain", ids["dev"], "evidence")
	if !strings.Contains(out, "paid now: 9000") || !strings.Contains(out, "ignored evidence") || !strings.Contains(out, `"payloadType"`) {
		t.Fatalf("payout: %s", out)
	}
	c.run(2, "payout", "-trust", "trust.json", "-key", "steward", "-amount", "-5", "-payer", "acme", "-reference", "r", "-at", "2026-11-25", "evidence")

	// Denied use exits 1.
	c.run(1, "decide", "-terms", "cc-by-nc-sa-4.0", "-trust", "trust.json", "-entity", "acme", "-commercial", "-at", "2026-11-25")

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
		t.Skipf("ssh-keygen not installed (%v); CI installs it", err)
	}
	c := &cli{t: t, dir: t.TempDir()}
	c.run(0, "keygen", "-o", "me")
	c.write("commit.txt", "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	c.run(0, "sign", "-ssh", "-key", "me", "-n", "ppl@peerproduction", "commit.txt")
	pubLine, _ := os.ReadFile(filepath.Join(c.dir, "me.pub"))
	c.write("allowed_signers", "me@example "+string(pubLine))
	// ssh-keygen verifies ours…
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", "allowed_signers", "-I", "me@example", "-n", "ppl@peerproduction", "-s", "commit.txt.sig")
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
