package policy

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
)

// A decision names the manifests its evaluator was configured from, in its
// JSON (canonical) and its explanation; without them neither changes.
func TestDecisionNamesManifests(t *testing.T) {
	terms, err := license.Builtin("ppl")
	if err != nil {
		t.Fatal(err)
	}
	refs := []ManifestRef{{Commons: "alpha", Version: 2, Digest: "sha256:" + strings.Repeat("a", 64)},
		{Commons: "beta", Version: 7, Digest: "sha256:" + strings.Repeat("b", 64)}}
	cfg := Config{Terms: terms, Commons: contribution.Commons{ID: "alpha"}, Manifests: refs}
	ev, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	refs[0].Version = 99 // the evaluator keeps its own copy
	req := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	d, err := ev.Evaluate(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Manifests(); len(got) != 2 || got[0].Version != 2 || got[1].Commons != "beta" {
		t.Errorf("Manifests() = %v", got)
	}
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `"manifests":[{"commons":"alpha","digest":"sha256:` + strings.Repeat("a", 64) + `","version":2},{"commons":"beta","digest":"sha256:` + strings.Repeat("b", 64) + `","version":7}]`
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("JSON lacks %s:\n%s", want, b)
	}
	if c, err := canonjson.Canonicalize(b); err != nil || !bytes.Equal(c, b) {
		t.Errorf("JSON is not canonical: %v", err)
	}
	if !strings.Contains(d.Explain(), "decided with the manifest of beta version 7 (sha256:bbbb") {
		t.Errorf("Explain lacks the manifests:\n%s", d.Explain())
	}

	cfg.Manifests = nil
	plain, _ := Compile(cfg)
	d2, _ := plain.Evaluate(req)
	b2, _ := d2.MarshalJSON()
	if bytes.Contains(b2, []byte("manifests")) || strings.Contains(d2.Explain(), "manifest") {
		t.Errorf("a decision without manifests mentions them:\n%s", b2)
	}
}
