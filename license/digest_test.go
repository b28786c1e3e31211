package license

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

// referenceDigest is what a third party computes from a published terms
// document with an RFC 8785 implementation we did not write.
func referenceDigest(t *testing.T, doc []byte) string {
	t.Helper()
	canon, err := jcs.Transform(doc)
	if err != nil {
		t.Fatalf("reference canonicaliser: %v", err)
	}
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestBuiltinDigestsRecomputable: for every built-in, the digest is
// sha256 of the RFC 8785 form of the embedded document BuiltinJSON
// publishes, and MarshalJSON writes exactly that form. (Members equal to
// zero or false, e.g. a placeholder price's "amount": 0, were once
// dropped before hashing, so four built-ins named digests no one holding
// their documents could recompute.)
func TestBuiltinDigestsRecomputable(t *testing.T) {
	for _, id := range Builtins() {
		doc, err := BuiltinJSON(id)
		if err != nil {
			t.Fatal(err)
		}
		terms, err := Builtin(id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := terms.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceDigest(t, doc); got != want {
			t.Errorf("%s: Digest %s, sha256(jcs(published JSON)) %s", id, got, want)
		}
		out, _ := terms.MarshalJSON()
		if want, _ := jcs.Transform(doc); !bytes.Equal(out, want) {
			t.Errorf("%s: MarshalJSON is not the canonical published document", id)
		}
	}
}

// The digest names the document: formatting and member order do not
// change it, spelling out a default does (it is another document), and
// terms changed after Parse are digested as they now are.
func TestDigestNamesTheDocument(t *testing.T) {
	const compact = `{"id":"t","name":"T","version":"1","source":"https://example.com","clauses":[{"id":"all","effect":"free","text":"free"}]}`
	const spaced = "{ \"source\" : \"https://example.com\",\n \"name\":\"\\u0054\", \"id\":\"t\", \"version\":\"1\",\n \"clauses\":[{\"text\":\"free\",\"effect\":\"free\",\"id\":\"all\"}] }\n"
	withDefault := strings.Replace(compact, `"clauses"`, `"countAffiliates":false,"clauses"`, 1)
	digest := func(doc string) string {
		terms, err := Parse([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		d, err := terms.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceDigest(t, []byte(doc)); d != want {
			t.Errorf("Digest of %s = %s, reference %s", doc, d, want)
		}
		return d
	}
	if digest(compact) != digest(spaced) {
		t.Error("reformatting changed the digest")
	}
	if digest(compact) == digest(withDefault) {
		t.Error("a document spelling out countAffiliates:false shares the digest of one that does not")
	}

	terms, _ := Builtin("ppl")
	before, _ := terms.Digest()
	// What MarshalJSON returns is the caller's to change.
	if out, _ := terms.MarshalJSON(); len(out) > 0 {
		out[0] = 'x'
		if d, _ := terms.Digest(); d != before {
			t.Fatal("writing to MarshalJSON's result changed the digest")
		}
	}
	terms.Prices[0].Amount = 12000
	after, _ := terms.Digest()
	out, _ := terms.MarshalJSON()
	if after == before || after != referenceDigest(t, out) {
		t.Errorf("changed terms: digest %s (was %s), of what MarshalJSON writes %s", after, before, referenceDigest(t, out))
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := again.Digest(); d != after {
		t.Errorf("published changed terms digest to %s, not %s", d, after)
	}
	// Changed back, they are the published document again.
	terms.Prices[0].Amount = 0
	if d, _ := terms.Digest(); d != before {
		t.Errorf("restored terms digest %s, want %s", d, before)
	}
	// Terms built in Go have the document their fields encode.
	built := &Terms{ID: "t", Name: "T", Version: "1", Source: "https://example.com", Clauses: []Clause{{ID: "all", Effect: Free, Text: "free"}}}
	if d, _ := built.Digest(); d != digest(compact) {
		t.Errorf("built terms digest %s, want that of %s", d, compact)
	}
}
