package attest

import "testing"

// BenchmarkParseSigned is the reading alone, without the signature check:
// the envelope, the statement it carries and its validity window, the
// work the name checks add to.
func BenchmarkParseSigned(b *testing.B) {
	window := map[string]any{"validFrom": "2026-03-01T00:00:00Z", "validUntil": "2026-06-01T00:00:00Z", "note": "hello"}
	data := signedJSON(b, testStatement(b, "commons:alpha", window), testKey("bench"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		env, err := ParseEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		st, err := parseStatement(env.Payload, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := validity(st.Predicate); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSignedNoWindow is the same for a predicate without a
// window, which the pre-check lets skip the window walk.
func BenchmarkParseSignedNoWindow(b *testing.B) {
	data := signedJSON(b, testStatement(b, "commons:alpha", map[string]any{"note": "hello", "kind": "code", "quantity": "3"}), testKey("bench"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		env, err := ParseEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		st, err := parseStatement(env.Payload, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := validity(st.Predicate); err != nil {
			b.Fatal(err)
		}
	}
}
