package attest

import (
	"crypto/ed25519"
	"testing"
)

// TestVerifyKeyMatchesStdlib holds the decoded-key path to crypto/ed25519's
// answer on every published vector, valid or not, including the keys Trust
// refuses to admit.
func TestVerifyKeyMatchesStdlib(t *testing.T) {
	n := 0
	check := func(name string, pub, msg, sig []byte) {
		t.Helper()
		n++
		want := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
		vk := newVerifyKey(pub)
		if got := vk.verify(msg, sig); got != want {
			t.Errorf("%s: verifyKey = %v, crypto/ed25519 = %v", name, got, want)
		}
		vk.precompute()
		if got := vk.verify(msg, sig); got != want {
			t.Errorf("%s: verifyKey with table = %v, crypto/ed25519 = %v", name, got, want)
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

// FuzzVerifyKey compares the decoded-key path with crypto/ed25519 on
// arbitrary keys, messages and signatures, and on valid signatures with
// one bit flipped anywhere or none.
func FuzzVerifyKey(f *testing.F) {
	k := testKey("fuzz")
	msg := []byte("message")
	f.Add([]byte(pubOf(k)), msg, ed25519.Sign(k, msg), uint16(0))
	f.Add(make([]byte, 32), []byte{}, make([]byte, 64), uint16(511))
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte, flip uint16) {
		if len(pub) == ed25519.PublicKeySize && flip%3 == 0 {
			// Make the signature valid for some key, then maybe damage one bit.
			priv := ed25519.NewKeyFromSeed(pub)
			pub = priv.Public().(ed25519.PublicKey)
			sig = ed25519.Sign(priv, msg)
			if bit := int(flip / 3); bit < 8*64 {
				sig[bit/8] ^= 1 << (bit % 8)
			}
		}
		want := len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, msg, sig)
		vk := newVerifyKey(pub)
		if got := vk.verify(msg, sig); got != want {
			t.Fatalf("verifyKey = %v, crypto/ed25519 = %v (pub %x sig %x)", got, want, pub, sig)
		}
		vk.precompute()
		if got := vk.verify(msg, sig); got != want {
			t.Fatalf("verifyKey with table = %v, crypto/ed25519 = %v (pub %x sig %x)", got, want, pub, sig)
		}
	})
}
