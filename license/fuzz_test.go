package license

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/gowebpki/jcs"
)

func FuzzParse(f *testing.F) {
	for _, id := range Builtins() {
		b, _ := BuiltinJSON(id)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","name":"x","version":"1","source":"https://x","clauses":[{"id":"a","effect":"free","text":"t"}]}`))
	f.Add([]byte(`{"id":"x","name":"\ud800\udc00","version":"1","source":"https://x","countAffiliates":false,"clauses":[{"id":"a","effect":"free","text":"t","obligations":[]}],"prices":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		terms, err := Parse(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(terms)
		if err != nil {
			t.Fatalf("accepted terms do not marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("marshalled terms do not re-parse: %v\n%s", err, out)
		}
		out2, _ := json.Marshal(again)
		if !bytes.Equal(out, out2) {
			t.Fatal("round trip unstable")
		}
		// The digest is recomputable from the accepted bytes with an
		// RFC 8785 implementation we did not write, and is the one the
		// terms MarshalJSON writes would get.
		canon, err := jcs.Transform(data)
		if err != nil {
			t.Fatalf("reference canonicaliser refuses accepted terms: %v", err)
		}
		sum := sha256.Sum256(canon)
		d, err := terms.Digest()
		if err != nil || d != "sha256:"+hex.EncodeToString(sum[:]) {
			t.Fatalf("Digest %s (%v) is not sha256 of the canonical document", d, err)
		}
		if d2, _ := again.Digest(); d2 != d {
			t.Fatalf("the document MarshalJSON writes has digest %s, not %s", d2, d)
		}
		var facts Facts
		if i, _ := terms.Evaluate(&facts, nil); i < 0 {
			t.Fatal("parsed terms decided nothing: the default clause is missing")
		}
	})
}
