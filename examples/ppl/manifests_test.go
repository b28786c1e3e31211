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
	c.run(0, "commons", "show", "manifests/alpha-1.json")

	os.Mkdir(filepath.Join(c.dir, "evidence"), 0o755)
	c.run(0, "sign", "membership", "-key", "registrar", "-entity", "acme", "-member", "dev.pub", "-from", "2025-01-01", "-o", "evidence/membership.json")
	c.run(0, "sign", "membership", "-key", "dev", "-add-to", "evidence/membership.json")
	c.run(0, "sign", "contribution", "-key", "steward", "-commons", "alpha", "-contributor", "dev.pub", "-entity", "acme", "-kind", "code", "-quantity", "40",
		"-at", "2026-11-01", "-evidence", "gitCommit:9fceb02d0ae598e95dc970b74767f19372d61af8", "-o", "evidence/c1.json")
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "beta", "-contributor", "dev.pub", "-entity", "acme", "-kind", "code", "-quantity", "30",
		"-at", "2026-11-10", "-o", "evidence/c2.json")
	c.run(0, "sign", "entity", "-key", "registrar", "-entity", "acme", "-kind", "for-profit", "-headcount", "250", "-as-of", "2026-10-01", "-o", "evidence/acme.json")
	c.run(0, "verify", "-manifests", "manifests", "-commons", "alpha", "-at", "2026-11-25", "evidence/c1.json")
	// Beta's steward cannot attest contributions to Alpha.
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "alpha", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "900", "-at", "2026-11-01", "-o", "evidence/forged.json")

	c.run(2, "decide", "-manifests", "manifests", "-entity", "acme", "-at", "2026-11-25", "evidence") // two commons: which?
	out, _ := c.run(0, "decide", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-commercial", "-seats", "5", "-at", "2026-11-25", "evidence")
	for _, want := range []string{"acme: PAY", "path to free", "ignored: out of scope", "alpha version 1", "beta version 1"} {
		if !strings.Contains(out, want) {
			t.Fatalf("decide with manifests lacks %q: %s", want, out)
		}
	}
	j, _ := c.run(0, "decide", "-json", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(j, `"manifests":[`) {
		t.Fatalf("the decision does not name its manifests: %s", j)
	}
	c.run(0, "grant", "-key", "market", "-payment", "invoice-42", "-until", "2027-05-25", "-manifests", "manifests", "-commons", "alpha",
		"-entity", "acme", "-commercial", "-seats", "5", "-at", "2026-11-25", "-o", "grant.json", "evidence")
	c.run(0, "verify", "-grant", "-manifests", "manifests", "-commons", "alpha", "-at", "2027-01-01", "grant.json")
	c.run(0, "payout", "-manifests", "manifests", "-commons", "alpha", "-key", "treasurer", "-amount", "60000", "-payer", "acme",
		"-reference", "invoice-42", "-at", "2026-11-25", "-o", "payout.json", "evidence")
	// The payout verifies offline against the same manifests, its shares
	// adding up; several files at once give a line each.
	if out, _ := c.run(0, "verify", "-manifests", "manifests", "-commons", "alpha", "-at", "2026-11-25", "payout.json"); !strings.Contains(out, `"reference":"invoice-42"`) {
		t.Fatalf("verify payout: %s", out)
	}
	out, _ = c.run(1, "verify", "-manifests", "manifests", "-commons", "alpha", "-at", "2026-11-25", "evidence", "grant.json", "payout.json")
	if !strings.Contains(out, "ok evidence/c1.json: sha256:") || !strings.Contains(out, "refused evidence/forged.json") || !strings.Contains(out, "ok payout.json") || !strings.Contains(out, "ok grant.json") {
		t.Fatalf("verify several: %s", out)
	}
	c.run(2, "payout", "-manifests", "manifests", "-commons", "alpha", "-key", "treasurer", "-amount", "10000", "-payer", "acme",
		"-reference", "inv-2", "-association", "someone-else", "-at", "2026-11-25", "evidence")

	// More work for Beta, signed by Beta's own steward, makes Acme free for
	// Alpha at Beta's weight.
	c.run(0, "sign", "contribution", "-key", "beta-steward", "-commons", "beta", "-contributor", "dev.pub", "-entity", "acme",
		"-kind", "code", "-quantity", "240", "-at", "2026-11-15", "-o", "evidence/c3.json")
	out, _ = c.run(0, "decide", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	if !strings.Contains(out, "acme: FREE") {
		t.Fatalf("free through a recognised commons: %s", out)
	}
	grant, _ := c.run(0, "grant", "-key", "market", "-manifests", "manifests", "-commons", "alpha",
		"-entity", "acme", "-commercial", "-at", "2026-11-25", "evidence")
	c.write("free-grant.json", grant)
	c.run(0, "verify", "-grant", "-manifests", "manifests", "-commons", "alpha", "-at", "2026-12-01", "free-grant.json")
	// A free grant holds as long as the decision would: the contributions decay.
	late, errOut := c.run(1, "verify", "-grant", "-manifests", "manifests", "-commons", "alpha", "-at", "2027-05-01", "free-grant.json")
	if !strings.Contains(late, `"entity": "acme"`) || !strings.Contains(errOut, "expired") {
		t.Fatalf("an expired grant says what it said, and is refused: %s / %s", late, errOut)
	}

	c.run(2, "decide", "-manifests", "manifests", "-commons", "alpha", "-terms", "ppl", "-entity", "acme", "-at", "2026-11-25", "evidence")
	c.run(2, "decide", "-manifests", "manifests", "-commons", "gamma", "-entity", "acme", "-at", "2026-11-25", "evidence")
	// Expired manifests decide nothing.
	c.run(2, "decide", "-manifests", "manifests", "-commons", "alpha", "-entity", "acme", "-at", "2027-07-01", "evidence")
}
