package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A steward signs a release's worth of contributions from one encrypted
// key in one run: JSON Lines in, one envelope a line (or a file each) out.
func TestSignContributionBatch(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	t.Setenv("PPL_PASSPHRASE", "correct horse battery staple")
	c.run(0, "keygen", "-encrypt", "-o", "steward")
	c.run(0, "keygen", "-o", "dev") // unencrypted: PPL_PASSPHRASE set does not get in its way
	devID, _ := c.run(0, "fingerprint", "dev")
	devID = strings.TrimSpace(devID)

	const n = 10000
	var in bytes.Buffer
	for i := range n {
		fmt.Fprintf(&in, `{"commons":"alpha","contributor":%q,"entity":"acme","kind":"code","quantity":"%d.5","at":"2026-11-%02dT10:00:00Z","evidence":["gitCommit:%040x"]}`+"\n",
			devID, i%7+1, i%28+1, i)
	}
	c.write("release.jsonl", in.String())
	start := time.Now()
	out, _ := c.run(0, "sign", "contribution", "-key", "steward", "-in", "release.jsonl", "-o", "release.envelopes")
	t.Logf("%d statements signed from an encrypted key in %v (the issue's target: 10,000 in 5 s)", n, time.Since(start))
	if !strings.Contains(out, fmt.Sprintf("%d envelopes", n)) {
		t.Fatalf("output: %s", out)
	}
	data, _ := os.ReadFile(filepath.Join(c.dir, "release.envelopes"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != n {
		t.Fatalf("%d envelope lines, want %d", len(lines), n)
	}
	// Each line is an envelope the trust verifies.
	c.write("trust.json", `{"commons":{"id":"alpha","stewards":["steward.pub"]},"rules":[{"key":"steward.pub","predicates":["contribution"],"subjects":["commons:alpha"]}]}`)
	c.write("one.json", lines[n-1]+"\n")
	c.run(0, "verify", "-trust", "trust.json", "-at", "2026-12-01", "one.json")

	// Refused without -f: the file exists.
	c.run(2, "sign", "contribution", "-key", "steward", "-in", "release.jsonl", "-o", "release.envelopes")

	// Into a directory, a file per statement; again, nothing new.
	c.write("few.jsonl", strings.Join(strings.Split(in.String(), "\n")[:3], "\n")+"\n")
	out, _ = c.run(0, "sign", "contribution", "-key", "steward", "-in", "few.jsonl", "-o", "evidence/")
	if strings.Count(out, "\n") != 3 {
		t.Fatalf("first run into a directory: %q", out)
	}
	if out, _ = c.run(0, "sign", "contribution", "-key", "steward", "-in", "few.jsonl", "-o", "evidence/"); out != "" {
		t.Fatalf("second run wrote again: %q", out)
	}

	// What is wrong is said with its line.
	c.write("bad.jsonl", strings.Join(strings.Split(in.String(), "\n")[:2], "\n")+"\n"+`{"commons":"alpha","contributor":"`+devID+`","kind":"code","quantity":"-1","at":"2026-11-01"}`+"\n")
	if _, errOut := c.run(2, "sign", "contribution", "-key", "steward", "-in", "bad.jsonl"); !strings.Contains(errOut, "bad.jsonl:3") || !strings.Contains(errOut, "quantity") {
		t.Fatalf("bad line: %s", errOut)
	}
	c.write("unknown.jsonl", `{"commons":"alpha","contributor":"`+devID+`","kind":"code","quantity":"1","at":"2026-11-01","colour":"red"}`+"\n")
	if _, errOut := c.run(2, "sign", "contribution", "-key", "steward", "-in", "unknown.jsonl"); !strings.Contains(errOut, "unknown.jsonl:1") || !strings.Contains(errOut, "colour") {
		t.Fatalf("unknown field: %s", errOut)
	}

	// From standard input.
	cmd := exec.Command(pplBin, "sign", "contribution", "-key", "steward", "-in", "-")
	cmd.Dir, cmd.Stdin = c.dir, strings.NewReader(strings.Split(in.String(), "\n")[0]+"\n")
	if b, err := cmd.Output(); err != nil || !bytes.HasPrefix(b, []byte(`{"payload"`)) && !bytes.HasPrefix(b, []byte(`{"payloadType"`)) {
		t.Fatalf("-in -: %v %s", err, b)
	}
}

// The passphrase of an encrypted key comes from PPL_PASSPHRASE, or the file
// PPL_PASSPHRASE_FILE names; without either and without a terminal, the
// error says how to give one.
func TestPassphraseSources(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	t.Setenv("PPL_PASSPHRASE", "s3cret")
	c.run(0, "keygen", "-encrypt", "-o", "k")
	c.run(2, "keygen", "-encrypt", "-format", "pem", "-o", "k2")
	os.Unsetenv("PPL_PASSPHRASE")
	if _, errOut := c.run(2, "fingerprint", "k"); !strings.Contains(errOut, "PPL_PASSPHRASE") {
		t.Fatalf("no passphrase: %s", errOut)
	}
	c.write("pass.txt", "s3cret\n")
	t.Setenv("PPL_PASSPHRASE_FILE", filepath.Join(c.dir, "pass.txt"))
	pub, _ := c.run(0, "fingerprint", "k.pub")
	priv, _ := c.run(0, "fingerprint", "k")
	if pub != priv {
		t.Fatalf("key id from the decrypted key %q, from the .pub %q", priv, pub)
	}
	c.write("pass.txt", "wrong\n")
	c.run(2, "fingerprint", "k")
}
