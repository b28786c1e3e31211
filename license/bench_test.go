package license

import "testing"

// What keeping the published document costs Parse, and what Digest costs
// now that it first checks the terms still encode as parsed.

func BenchmarkParsePPL(b *testing.B) {
	data, err := BuiltinJSON("ppl")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDigestPPL(b *testing.B) {
	terms, err := Builtin("ppl")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := terms.Digest(); err != nil {
			b.Fatal(err)
		}
	}
}
