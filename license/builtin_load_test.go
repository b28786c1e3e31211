package license

import "testing"

func TestBuiltinsParse(t *testing.T) {
	ids := Builtins()
	if len(ids) != 19 {
		t.Fatalf("want 19 built-ins, got %v", ids)
	}
	for _, id := range ids {
		terms, err := Builtin(id)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if terms.ID != id {
			t.Errorf("%s: file holds id %q", id, terms.ID)
		}
	}
}
