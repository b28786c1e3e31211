package main

import (
	"strings"
	"testing"
)

// A commons or entity id outside the grammar is a usage error naming the
// flag, the -in member or the trust file member, before anything is
// signed or decided with it; before ids had a grammar each of these was
// signed or decided.
func TestIDFlags(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"steward", "beta-steward", "registrar", "acme", "dev", "market"} {
		c.run(0, "keygen", "-o", k)
	}
	c.write("trust.json", trustJSON)
	contrib := func(commons, entity string) []string {
		return []string{"sign", "contribution", "-key", "steward", "-commons", commons, "-entity", entity, "-contributor", "dev.pub",
			"-kind", "code", "-quantity", "1", "-at", "2026-11-01"}
	}
	wantErr := func(args []string, want ...string) {
		t.Helper()
		_, errOut := c.run(2, args...)
		for _, w := range want {
			if !strings.Contains(errOut, w) {
				t.Errorf("ppl %s: stderr lacks %q: %s", strings.Join(args, " "), w, errOut)
			}
		}
	}
	c.run(0, contrib("alpha", "acme")...)
	wantErr(contrib("Alpha", "acme"), "-commons", `"Alpha"`, "upper-case 'A' at byte 0")
	wantErr(contrib("alpha", "acme\u202e"), "-entity", `"acme\u202e"`, "bidi control U+202E at byte 4")
	wantErr(contrib("alpha", "ac\u200dme"), "-entity", "invisible character U+200D")
	c.write("c.json", `{"commons":"al pha","contributor":"dev.pub","kind":"code","quantity":"1","unit":"points","at":"2026-11-10T00:00:00Z"}`)
	wantErr([]string{"sign", "contribution", "-key", "steward", "-in", "c.json"}, "/commons in c.json", "a space at byte 2")
	wantErr([]string{"sign", "membership", "-key", "acme", "-entity", "аcme", "-member", "dev.pub", "-from", "2025-01-01"}, "-entity", "non-ASCII character U+0430")
	wantErr([]string{"sign", "entity", "-key", "registrar", "-entity", "acme:x", "-kind", "for-profit", "-as-of", "2026-10-01"}, "-entity", "':' at byte 4")
	wantErr([]string{"decide", "-trust", "trust.json", "-entity", "Acme", "-at", "2026-11-25"}, "-entity", "upper-case")
	wantErr([]string{"payout", "-trust", "trust.json", "-key", "market", "-payer", "acme\x07", "-amount", "100", "-reference", "r", "-at", "2026-11-25"}, "-payer", "control character U+0007")

	c.write("bad-trust.json", strings.Replace(trustJSON, `"commons": "beta"`, `"commons": "Beta"`, 1))
	wantErr([]string{"decide", "-trust", "bad-trust.json", "-entity", "acme", "-at", "2026-11-25"}, "/commons/recognises/0/commons", "upper-case")
	c.write("bad-rule.json", strings.Replace(trustJSON, `"entity:acme"`, `"entity:ac*"`, 1))
	wantErr([]string{"decide", "-trust", "bad-rule.json", "-entity", "acme", "-at", "2026-11-25"}, "rules[3].Subjects[0]", `"entity:ac*"`)
}
