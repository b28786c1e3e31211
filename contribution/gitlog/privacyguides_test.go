package gitlog

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// TestPrivacyGuidesCommits verifies real commits of a project that signs
// with SSH (testdata/README.md) and requires the letter git 2.39 with
// OpenSSH 9.2 printed for each, and the credit the rules give.
func TestPrivacyGuidesCommits(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "privacyguides", "allowed_signers"))
	if err != nil {
		t.Fatal(err)
	}
	as, err := attest.ParseAllowedSigners(data)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ParseRules([]byte(`{"version":1,"kind":"docs","refs":{"branches":["main"]},"worth":{"per":"commit","quantity":"1"},
		"excludeAuthors":["*[bot]*"],"coAuthors":"split","unsigned":"exclude"}`))
	if err != nil {
		t.Fatal(err)
	}
	counter := &Counter{Rules: rules, AllowedSigners: as, Commons: "privacyguides"}
	jonah := attest.KeyID(as[0].Key)
	cases := []struct {
		id     string
		git    Status
		credit string // key id credited, "" for none
	}{
		{"2fb1f684a4c764daaaf193d42d115bb2e190292d", Good, jonah},     // signed by its author
		{"ce17fa6ff43d045cf47bdad90ac1c0e8b493573d", Good, ""},        // signed by the maintainer who applied it
		{"45d7263305dce3ba354dfd37079ecc24f3dd8427", CannotCheck, ""}, // GPG, by GitHub
		{"5504c50d9c20686afaf8ff04df78287c216035e7", Unsigned, ""},    // dependabot
	}
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join("testdata", "privacyguides", c.id))
		if err != nil {
			t.Fatal(err)
		}
		o, err := ParseObject(KindCommit, c.id, raw)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		_, verr := Verify(o, as)
		if got := StatusOf(verr); got != c.git {
			t.Errorf("%s: StatusOf = %c, git said %c (%v)", c.id, got, c.git, verr)
		}
		cs, skips := counter.Count(&Commit{Object: o})
		switch {
		case c.credit == "" && len(cs) != 0:
			t.Errorf("%s: credited %v, want nothing", c.id, cs)
		case c.credit != "" && (len(cs) != 1 || cs[0].Contributor != c.credit):
			t.Errorf("%s: credited %v (skips %v), want %s", c.id, cs, skips, c.credit)
		}
	}
}
