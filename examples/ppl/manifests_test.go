package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManifestWalkthrough is the README's walkthrough: two commons, each
// with its signed manifest, Alpha recognising Beta at 0.5; a contribution
// to Beta, signed by Beta's own steward, makes Acme free for Alpha; the
// decision names the manifests; grants and payouts are verified against
// the same manifests.
func TestManifestWalkthrough(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"alpha-root", "beta-root", "steward", "beta-steward", "registrar", "dev", "market", "treasurer"} {
		c.run(0, "keygen", "-o", k)
	}
	os.Mkdir(filepath.Join(c.dir, "manifests"), 0o755)
	c.run(0, "commons", "init", "-id", "beta", "-name", "Beta", "-terms", "ppl", "-root", "beta-root.pub", "-issued", "2026-01-01", "-expires", "2027-06-01", "-o", "beta.json")
	c.run(0, "commons", "add-key", "-role", "steward", "beta.json", "beta-steward.pub")
	c.run(0, "commons", "sign", "-key", "beta-root", "-o", "manifests/beta-1.json", "beta.json")

	c.run(0, "commons", "init", "-id", "alpha", "-name", "Alpha", "-terms", "ppl-reciprocity", "-root", "alpha-root.pub", "-issued", "2026-01-01", "-expires", "2027-06-01", "-o", "alpha.json")
	c.run(0, "commons", "add-key", "-role", "steward", "alpha.json", "steward.pub")
	c.run(0, "commons", "add-key", "-role", "registrar", "alpha.json", "registrar.pub")
	c.run(0, "commons", "add-key", "-role", "grant-signer", "alpha.json", "market.pub")
	c.run(0, "commons", "recognise", "-commons", "beta", "-manifest", "manifests/beta-1.json", "-weight", "0.5", "alpha.json")
	c.run(0, "commons", "payout", "-currency", "EUR", "-association", "alpha-assoc", "-association-bp", "1000", "alpha.json")
	c.run(0, "commons", "add-key", "-role", "payout-signer", "alpha.json", "treasurer.pub")
	c.run(0, "commons", "sign", "-key", "alpha-root", "-o", "manifests/alpha-1.json", "alpha.json")
	c.run(0, "commons", "verify", "-at", "2026-11-25", "manifests/alpha-1.json")

	os.Mkdir(filepath.Join(c.dir, "evidence"), 0o755)
	c.run(0, "sign", "membership", "-key", "registrar", "-entity", "acme", "-member", "dev.pub", "-from", "2025-01-01", "-o", "evidence/membership.json")
	c.run(0, "sign", "membership", "-key", "dev", "-add-to", "evidence/membership.json")
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "beta", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "240", "-at", "2026-11-01", "-o", "evidence/c1.json")
	// Beta's steward cannot attest contributions to Alpha.
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "alpha", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "900", "-at", "2026-11-01", "-o", "evidence/forged.json")

	c.run(2, "decide", "-manifests", "manifests", "-entity", "acme", "-at", "2026-11-25", "evidence") // two commons: which?
	out, _ := c.run(0, "decide", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(out, "acme: FREE") || !strings.Contains(out, "ignored: out of scope") || !strings.Contains(out, "alpha version 1") {
		t.Fatalf("decide with manifests: %s", out)
	}
	j, _ := c.run(0, "decide", "-json", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(j, `"manifests":[`) {
		t.Fatalf("the decision does not name its manifests: %s", j)
	}
	c.run(2, "decide", "-manifests", "manifests", "-commons", "alpha", "-terms", "ppl", "-entity", "acme", "-at", "2026-11-25", "evidence")
	c.run(2, "decide", "-manifests", "manifests", "-commons", "gamma", "-entity", "acme", "-at", "2026-11-25", "evidence")
	// Expired manifests decide nothing.
	c.run(2, "decide", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-at", "2027-07-01", "evidence")

	grant, _ := c.run(0, "grant", "-key", "market", "-until", "2027-05-25", "-manifests", "manifests", "-commons", "alpha",
		"-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	c.write("grant.json", grant)
	c.run(0, "verify", "-grant", "-manifests", "manifests", "-commons", "alpha", "-at", "2026-12-01", "grant.json")
	// A free grant holds as long as the decision would: the contribution decays.
	c.run(1, "verify", "-grant", "-manifests", "manifests", "-commons", "alpha", "-at", "2027-01-01", "grant.json")
	c.run(0, "verify", "-manifests", "manifests", "-commons", "beta", "-at", "2026-11-25", "evidence/c1.json")

	out, errOut := c.run(0, "payout", "-manifests", "manifests", "-commons", "alpha", "-key", "treasurer", "-amount", "10000", "-payer", "acme",
		"-reference", "inv-1", "-at", "2026-11-25", "-o", "payout.json", "evidence")
	if !strings.Contains(out, "payout.json") && !strings.Contains(out, "sha256:") {
		t.Fatalf("payout: %s / %s", out, errOut)
	}
	c.run(2, "payout", "-manifests", "manifests", "-commons", "alpha", "-key", "treasurer", "-amount", "10000", "-payer", "acme",
		"-reference", "inv-2", "-association", "someone-else", "-at", "2026-11-25", "evidence")
}
