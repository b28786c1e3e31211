package attest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A zero Trust is an empty keyring, as NewTrust() gives: nothing it is
// asked panics, and rules added to it count.
func TestZeroTrust(t *testing.T) {
	k := testKey("zero")
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	var trust Trust
	if _, err := trust.Verify(data, opts(t0)); !errors.Is(err, ErrUntrustedKey) {
		t.Fatalf("empty keyring: %v", err)
	}
	if vs, errs := trust.VerifyAll([][]byte{data}, opts(t0)); vs[0] != nil || !errors.Is(errs[0], ErrUntrustedKey) {
		t.Fatalf("VerifyAll on an empty keyring: %v", errs[0])
	}
	if trust.RevokedStatement(Digest([]byte("x"))) || trust.Generation() != 0 {
		t.Fatal("a zero Trust holds something")
	}
	trust.ResetCache()
	if err := trust.Add(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := trust.Verify(data, opts(t0)); err != nil {
		t.Fatalf("after Add: %v", err)
	}
}

// Mistakes in what the caller asks are configuration errors, not a
// malformed envelope, and say what to give.
func TestCallerMistakes(t *testing.T) {
	k := testKey("caller")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	for name, o := range map[string]VerifyOptions{
		"no time":            {PredicateTypes: []string{testPredicate}},
		"no predicate types": {Time: t0},
	} {
		_, err := trust.Verify(data, o)
		if !errors.Is(err, ErrConfig) || errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "VerifyOptions.") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A short predicate name never equals a statement's predicate type:
	// the rule would admit nothing, so it is refused.
	for _, short := range []string{"grant", "contribution", ""} {
		_, err := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{short}, Subjects: []string{"*"}})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "PredicateTypes[0]") {
			t.Errorf("predicate type %q: %v", short, err)
		}
	}
}

// A public key handed to ParsePrivateKey is named as such; a passphrase
// given for an unencrypted key is not an error.
func TestParsePrivateKeyMistakes(t *testing.T) {
	k := testKey("parse")
	pem, _ := MarshalPKIXPublicKey(pubOf(k))
	for _, pub := range [][]byte{MarshalAuthorizedKey(pubOf(k), "me"), pem} {
		_, err := ParsePrivateKey(pub, nil)
		var ke *KeyError
		if !errors.As(err, &ke) || !strings.Contains(ke.Detail, "public key") {
			t.Errorf("public key %q: %v", pub[:12], err)
		}
	}
	plain, err := MarshalOpenSSHPrivateKey(k, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParsePrivateKey(plain, []byte("left over in the environment")); err != nil || !got.Equal(k) {
		t.Fatalf("unencrypted key with a passphrase: %v", err)
	}
	enc, err := MarshalOpenSSHPrivateKey(k, "", []byte("right"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePrivateKey(enc, nil); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("encrypted without a passphrase: %v", err)
	}
	if _, err := ParsePrivateKey(enc, []byte("wrong")); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	if got, err := ParsePrivateKey(enc, []byte("right")); err != nil || !got.Equal(k) {
		t.Fatalf("encrypted with its passphrase: %v", err)
	}
}

// Outside its own window a statement is refused, and what it says comes
// with the refusal; refused for anything else, nothing does.
func TestExpiredStatementKeepsItsContent(t *testing.T) {
	k := testKey("window")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	data := signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2026-02-01T00:00:00Z"}), k)
	for _, at := range []time.Time{t0.AddDate(0, 3, 0), t0.AddDate(-1, 0, 0)} {
		v, err := trust.Verify(data, opts(at))
		if (!errors.Is(err, ErrExpired) && !errors.Is(err, ErrNotYetValid)) || v == nil || v.Signers[0] != KeyID(pubOf(k)) || v.ValidUntil.IsZero() {
			t.Errorf("at %v: %v, %v", at, v, err)
		}
	}
	other, _ := NewTrust(Rule{Key: pubOf(testKey("someone else")), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	if v, err := other.Verify(data, opts(t0.AddDate(0, 3, 0))); v != nil || err == nil {
		t.Errorf("untrusted signer: %v, %v", v, err)
	}
}
