package attest

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// benchEnvelope is a typical ~1 KiB envelope with one signature.
func benchEnvelope(b *testing.B) (*Trust, []byte, ed25519.PrivateKey, []byte) {
	k := testKey("bench")
	trust, err := NewTrust(
		Rule{Key: pubOf(testKey("other1")), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(testKey("other2")), PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:*"}},
	)
	if err != nil {
		b.Fatal(err)
	}
	st := testStatement(b, "commons:alpha", map[string]any{"evidence": strings.Repeat("9fceb02d0ae598e95dc970b74767f19372d61af8 ", 11)})
	data := signedJSON(b, st, k)
	if len(data) < 900 || len(data) > 1200 {
		b.Fatalf("envelope is %d bytes, want about 1 KiB", len(data))
	}
	payload, _ := st.Payload()
	return trust, data, k, PAE(PayloadType, payload)
}

func BenchmarkEd25519Verify(b *testing.B) {
	_, data, k, pae := benchEnvelope(b)
	env, _ := ParseEnvelope(data)
	sig, pub := env.Signatures[0].Sig, pubOf(k)
	for b.Loop() {
		if !ed25519.Verify(pub, pae, sig) {
			b.Fatal("verify")
		}
	}
}

// BenchmarkVerifyEnvelope is what the issue names: parse + PAE + trust
// lookup + verify of a fresh envelope, through ParseEnvelope and
// Trust.VerifyEnvelope (the path without the cache).
func BenchmarkVerifyEnvelope(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	for b.Loop() {
		env, err := ParseEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := trust.VerifyEnvelope(env, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFresh is Trust.Verify on an envelope it has not seen:
// the same work plus hashing the envelope for the cache and keeping it.
func BenchmarkVerifyFresh(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	for b.Loop() {
		// A fresh trust generation each time defeats the cache, as for an
		// envelope never seen before; bumping it is a counter increment.
		trust.mu.Lock()
		trust.gen++
		trust.mu.Unlock()
		if _, err := trust.Verify(data, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyCached(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	if _, err := trust.Verify(data, o); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := trust.Verify(data, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEd25519Sign(b *testing.B) {
	_, _, k, pae := benchEnvelope(b)
	for b.Loop() {
		ed25519.Sign(k, pae)
	}
}

func BenchmarkSignEnvelope(b *testing.B) {
	_, data, k, _ := benchEnvelope(b)
	env, _ := ParseEnvelope(data)
	for b.Loop() {
		e := &Envelope{PayloadType: env.PayloadType, Payload: env.Payload}
		if err := e.AddSignature(k); err != nil {
			b.Fatal(err)
		}
	}
}
