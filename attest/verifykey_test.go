package attest

import (
	"crypto/ed25519"
	"errors"
	"testing"
)

// TestVerifyKeyMatchesStdlib holds the package's signature check to
// crypto/ed25519's answer on every published vector, valid or not,
// including the keys Trust refuses to admit and keys of the wrong length
// (on which crypto/ed25519 itself would panic).
func TestVerifyKeyMatchesStdlib(t *testing.T) {
	n := 0
	check := func(name string, pub, msg, sig []byte) {
		t.Helper()
		n++
		want := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
		if got := verifySignature(pub, msg, sig); got != want {
			t.Errorf("%s: verifySignature = %v, crypto/ed25519 = %v", name, got, want)
		}
		if len(pub) > 0 {
			if verifySignature(pub[1:], msg, sig) {
				t.Errorf("%s: a %d-byte key verifies", name, len(pub)-1)
			}
		}
	}
	for _, file := range []string{"testdata/wycheproof/ed25519_test.json", "testdata/wycheproof/eddsa_test.legacy-v0.json"} {
		var f wycheproofFile
		readJSON(t, file, &f)
		for _, g := range f.TestGroups {
			k := g.PublicKey
			if k == nil {
				k = g.Key
			}
			for _, tc := range g.Tests {
				check(file, mustHex(t, k.PK), mustHex(t, tc.Msg), mustHex(t, tc.Sig))
			}
		}
	}
	var cases []struct {
		Message   string `json:"message"`
		PubKey    string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	readJSON(t, "testdata/ed25519-speccheck/cases.json", &cases)
	for _, c := range cases {
		check("speccheck", mustHex(t, c.PubKey), mustHex(t, c.Message), mustHex(t, c.Signature))
	}
	if n < 300 {
		t.Fatalf("only %d vectors compared", n)
	}
}

// FuzzVerifyKey compares what a Trust decides about a signature, through
// Trust.Verify on envelope JSON with the signer's key id and with none,
// with crypto/ed25519.Verify on the same PAE bytes: on arbitrary keys,
// payloads and signatures, and on valid signatures with one bit flipped
// anywhere or none. A key CheckPublicKey refuses cannot enter a Trust;
// for it only the package's check is compared.
func FuzzVerifyKey(f *testing.F) {
	k := testKey("fuzz")
	msg := []byte("message")
	const payloadType = "application/octet-stream"
	f.Add([]byte(pubOf(k)), msg, ed25519.Sign(k, PAE(payloadType, msg)), uint16(0))
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64), uint16(511))
	// Valid signatures damaged in R's sign bit and in S's top bits, which
	// crypto/ed25519 refuses before any arithmetic.
	f.Add([]byte(pubOf(k)), msg, []byte{}, uint16(3*255))
	f.Add([]byte(pubOf(k)), msg, []byte{}, uint16(3*511))
	f.Add([]byte(pubOf(k)), msg, []byte{}, uint16(3*509))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, flip uint16) {
		pae := PAE(payloadType, msg)
		if len(pub) == ed25519.PublicKeySize && flip%3 == 0 {
			// Make the signature valid for some key, then maybe damage one bit.
			priv := ed25519.NewKeyFromSeed(pub)
			pub = priv.Public().(ed25519.PublicKey)
			sig = ed25519.Sign(priv, pae)
			if bit := int(flip / 3); bit < 8*64 {
				sig[bit/8] ^= 1 << (bit % 8)
			}
		}
		want := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, pae, sig)
		if got := verifySignature(pub, pae, sig); got != want {
			t.Fatalf("verifySignature = %v, crypto/ed25519 = %v (pub %x sig %x)", got, want, pub, sig)
		}
		if CheckPublicKey(pub) != nil || len(sig) != ed25519.SignatureSize {
			return
		}
		trust, err := NewTrust(
			Rule{Key: pubOf(testKey("other")), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
			Rule{Key: pub, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, keyID := range []string{KeyID(pub), ""} {
			env := &Envelope{PayloadType: payloadType, Payload: msg, Signatures: []Signature{{KeyID: keyID, Sig: sig}}}
			data, err := env.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			_, err = trust.Verify(data, VerifyOptions{Time: t0, PayloadType: payloadType, PredicateTypes: []string{testPredicate}})
			// Past the signature check a payload that is no statement is
			// refused as malformed; before it, as unsigned.
			signed := !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUntrustedKey)
			if signed != want {
				t.Fatalf("key id %q: Trust.Verify %v, crypto/ed25519 = %v (pub %x sig %x)", keyID, err, want, pub, sig)
			}
		}
	})
}
