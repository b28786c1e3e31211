package attest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"
)

const testPredicate = "https://example.com/test/v1"

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testKey derives a fixed key from a label so failures are reproducible.
func testKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl attest test key " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func testStatement(t testing.TB, subject string, pred map[string]any) Statement {
	t.Helper()
	if pred == nil {
		pred = map[string]any{"note": "hello"}
	}
	st, err := NewStatement(testPredicate, pred, SubjectFor(subject))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func signedJSON(t testing.TB, st Statement, keys ...ed25519.PrivateKey) []byte {
	t.Helper()
	env, err := SignStatement(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if err := env.AddSignature(k); err != nil {
			t.Fatal(err)
		}
	}
	b, err := env.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func opts(at time.Time) VerifyOptions {
	return VerifyOptions{Time: at, PredicateTypes: []string{testPredicate}}
}
