package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommons walks a steward through the manifest commands: two commons,
// Alpha recognising Beta, Alpha's root keys 2-of-3 then one rotated out.
func TestCommons(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"r1", "r2", "r3", "r4", "steward", "beta-root", "beta-steward"} {
		c.run(0, "keygen", "-comment", k+"@example", "-o", k)
	}
	c.run(0, "commons", "init", "-id", "beta", "-terms", "ppl", "-root", "beta-root.pub", "-issued", "2026-01-01", "-expires", "2027-01-01", "-o", "beta.json")
	c.run(0, "commons", "add-key", "-role", "steward", "beta.json", "beta-steward.pub")
	c.run(0, "commons", "sign", "-key", "beta-root", "-o", "beta-v1.dsse", "beta.json")

	c.run(0, "commons", "init", "-id", "alpha", "-name", "Alpha", "-terms", "ppl-reciprocity", "-root", "r1.pub", "-root", "r2.pub", "-root", "r3.pub",
		"-threshold", "2", "-issued", "2026-01-01", "-expires", "2027-01-01", "-o", "alpha.json")
	c.run(0, "commons", "add-key", "-role", "steward", "-from", "2026-01-01", "alpha.json", "steward.pub")
	c.run(2, "commons", "add-key", "-role", "steward", "alpha.json", "steward.pub") // already a steward
	c.run(0, "commons", "recognise", "-commons", "beta", "-manifest", "beta-v1.dsse", "-weight", "0.5", "alpha.json")
	c.run(2, "commons", "recognise", "-commons", "beta", "-version", "1", "-weight", "0.0005", "alpha.json")
	c.run(0, "commons", "payout", "-currency", "EUR", "-association", "alpha-association", "-association-bp", "1000",
		"-kind-weight", "code=1", "-kind-weight", "docs=0.5", "-minimum", "500", "alpha.json")
	c.run(0, "commons", "add-key", "-role", "payout-signer", "alpha.json", "r1.pub")
	_, stderr := c.run(1, "commons", "payout", "-currency", "XYZ", "alpha.json")
	if !strings.Contains(stderr, "ISO 4217") {
		t.Errorf("bad currency: %s", stderr)
	}
	c.run(0, "commons", "sign", "-key", "r1", "-o", "alpha-v1.dsse", "alpha.json")
	_, stderr = c.run(1, "commons", "verify", "-at", "2026-06-01", "alpha-v1.dsse")
	if !strings.Contains(stderr, "too few distinct root keys") {
		t.Errorf("one of two root signatures: %s", stderr)
	}
	c.run(0, "commons", "sign", "-key", "r2", "-add-to", "alpha-v1.dsse", "alpha.json")
	c.run(2, "commons", "sign", "-key", "r2", "-add-to", "alpha-v1.dsse", "alpha.json") // signed twice by one key
	out, _ := c.run(0, "commons", "verify", "-at", "2026-06-01", "alpha-v1.dsse")
	if !strings.Contains(out, "OK: alpha version 1") || !strings.Contains(out, "signed by 2 root key(s)") {
		t.Errorf("verify: %s", out)
	}

	show, _ := c.run(0, "commons", "show", "alpha-v1.dsse")
	for _, want := range []string{"commons alpha (Alpha) version 1", "root (2 of 3):", "stewards:", "recognises beta at 0.5 (through sha256:",
		"terms ppl-reciprocity (SPDX LicenseRef-ppl-reciprocity) sha256:", "[2026-01-01T00:00:00Z, …)",
		"payout EUR: association \"alpha-association\" keeps 1000 bp, minimum 500", "payoutSigners:"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	// Fingerprints as ssh-keygen prints them.
	if _, err := exec.LookPath("ssh-keygen"); err == nil {
		for _, k := range []string{"r1", "r2", "r3", "steward"} {
			fp, err := exec.Command("ssh-keygen", "-l", "-f", filepath.Join(c.dir, k+".pub")).Output()
			if err != nil {
				t.Fatal(err)
			}
			if line := strings.TrimSpace(string(fp)); !strings.Contains(show, line) {
				t.Errorf("show lacks ssh-keygen's %q:\n%s", line, show)
			}
		}
	}

	// Version 2 replaces r3 by r4 and halves beta's weight.
	c.run(0, "commons", "init", "-next", "alpha-v1.dsse", "-issued", "2026-02-01", "-expires", "2027-02-01", "-o", "alpha2.json")
	c.run(0, "commons", "add-key", "-role", "root", "-remove", "alpha2.json", "r3.pub")
	c.run(0, "commons", "add-key", "-role", "root", "alpha2.json", "r4.pub")
	c.run(0, "commons", "recognise", "-commons", "beta", "-version", "1", "-weight", "0.25", "alpha2.json")
	diff, _ := c.run(0, "commons", "diff", "alpha-v1.dsse", "alpha2.json")
	for _, want := range []string{"version 1 → 2", "- root 256 SHA256:", "r3@example (ED25519)", "+ root 256 SHA256:", "r4@example (ED25519)",
		"~ recognises beta weight 0.5 → 0.25", "expires 2027-01-01 → 2027-02-01"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "steward") {
		t.Errorf("diff shows an unchanged role:\n%s", diff)
	}
	c.run(0, "commons", "sign", "-key", "r1", "-o", "alpha-v2.dsse", "alpha2.json")
	c.run(0, "commons", "sign", "-key", "r4", "-add-to", "alpha-v2.dsse", "alpha2.json")
	// r1 and r4 meet version 2's threshold but only r1 is of version 1.
	_, stderr = c.run(1, "commons", "verify", "-at", "2026-06-01", "alpha-v1.dsse", "alpha-v2.dsse")
	if !strings.Contains(stderr, "version 1's root keys") {
		t.Errorf("v2 without two of v1's roots: %s", stderr)
	}
	c.run(0, "commons", "sign", "-key", "r2", "-add-to", "alpha-v2.dsse", "alpha2.json")
	out, _ = c.run(0, "commons", "verify", "-at", "2026-06-01", "alpha-v1.dsse", "alpha-v2.dsse")
	if !strings.Contains(out, "OK: alpha version 2") {
		t.Errorf("verify: %s", out)
	}
	// The pitfalls, from the command line.
	_, stderr = c.run(1, "commons", "verify", "-at", "2026-06-01", "alpha-v2.dsse")
	if !strings.Contains(stderr, "only version 1 may be trusted on first use") {
		t.Errorf("first use of v2: %s", stderr)
	}
	_, stderr = c.run(1, "commons", "verify", "-at", "2026-06-01", "alpha-v1.dsse", "alpha-v2.dsse", "alpha-v1.dsse")
	if !strings.Contains(stderr, "not newer") {
		t.Errorf("rollback: %s", stderr)
	}
	_, stderr = c.run(1, "commons", "verify", "-at", "2027-03-01", "alpha-v1.dsse", "alpha-v2.dsse")
	if !strings.Contains(stderr, "expired") {
		t.Errorf("freeze: %s", stderr)
	}
	c.run(2, "commons", "add-key", "-role", "steward", "alpha-v2.dsse", "r3.pub") // signed: start a new version
	c.run(2, "commons", "bogus")
}

// TestCommonsAgent signs a manifest with a root key that ssh-agent holds,
// as ssh-add loaded it, and a second one that ssh-keygen made.
func TestCommonsAgent(t *testing.T) {
	for _, bin := range []string{"ssh-agent", "ssh-add", "ssh-keygen"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (%v); CI must install it", bin, err)
			}
			t.Skip(bin, "not installed")
		}
	}
	c := &cli{t: t, dir: t.TempDir()}
	c.run(0, "keygen", "-o", "r1")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "r2@ssh-keygen", "-f", filepath.Join(c.dir, "r2")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	sock := filepath.Join(c.dir, "agent.sock")
	agentCmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := agentCmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = agentCmd.Process.Kill(); _ = agentCmd.Wait() }()
	t.Setenv("SSH_AUTH_SOCK", sock)
	var err error
	var out []byte
	for range 50 { // the agent makes its socket shortly after starting
		if out, err = exec.Command("ssh-add", filepath.Join(c.dir, "r1")).CombinedOutput(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("ssh-add: %v %s", err, out)
	}
	c.run(0, "commons", "init", "-id", "alpha", "-terms", "ppl", "-root", "r1.pub", "-root", "r2.pub", "-threshold", "2",
		"-issued", "2026-01-01", "-expires", "2027-01-01", "-o", "alpha.json")
	c.run(0, "commons", "sign", "-agent", "r1.pub", "-o", "alpha.dsse", "alpha.json")
	c.run(1, "commons", "sign", "-agent", "r2.pub", "-add-to", "alpha.dsse", "alpha.json") // the agent does not hold r2
	c.run(0, "commons", "sign", "-key", "r2", "-add-to", "alpha.dsse", "alpha.json")
	verified, _ := c.run(0, "commons", "verify", "-at", "2026-06-01", "alpha.dsse")
	if !strings.Contains(verified, "signed by 2 root key(s)") {
		t.Errorf("verify: %s", verified)
	}
}

// TestCommonsImportTrust converts the trust file the other commands read
// into a manifest draft, naming what a manifest cannot carry.
func TestCommonsImportTrust(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"root", "steward", "beta-steward", "registrar", "acme", "market"} {
		c.run(0, "keygen", "-comment", k, "-o", k)
	}
	c.write("trust.json", trustJSON)
	out, _ := c.run(0, "commons", "import-trust", "-root", "root.pub", "-issued", "2026-01-01", "-expires", "2027-01-01", "-o", "alpha.json", "trust.json")
	for _, want := range []string{
		"not carried over: /rules/1 (contribution about commons:beta): another commons' stewards come from its own manifest",
		"widened: /rules/2: a manifest's revokers may revoke any key and statement, not only entity:*, statement:*",
		"not carried over: /rules/3 (" + "https://github.com/peerproduction/ppl/predicates/membership/v1 about entity:acme)",
		"not carried over: peer beta",
		"alpha.json: alpha version 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import-trust lacks %q:\n%s", want, out)
		}
	}
	show, _ := c.run(0, "commons", "show", "alpha.json")
	for _, want := range []string{"commons alpha (Alpha) version 1", "stewards:\n  256 ", " steward (ED25519)", "registrars:\n  256 ",
		"grantSigners:\n  256 ", " market (ED25519)", "revokers:\n  256 ", "recognises beta at 0.5 (version ≥ 1)"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	if strings.Contains(show, "acme") || strings.Contains(show, "beta-steward") {
		t.Errorf("carried over what a manifest cannot say:\n%s", show)
	}
}
