package license

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, id := range Builtins() {
		b, _ := BuiltinJSON(id)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","name":"x","version":"1","source":"https://x","clauses":[{"id":"a","effect":"free","text":"t"}]}`))
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
		var facts Facts
		if i, _ := terms.Evaluate(&facts, nil); i < 0 {
			t.Fatal("parsed terms decided nothing: the default clause is missing")
		}
	})
}
