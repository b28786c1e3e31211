package attest

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

type wycheproofFile struct {
	NumberOfTests int `json:"numberOfTests"`
	TestGroups    []struct {
		PublicKey *struct{ PK string } `json:"publicKey"` // v1
		Key       *struct{ PK string } `json:"key"`       // legacy v0
		Tests     []struct {
			TcID   int    `json:"tcId"`
			Msg    string `json:"msg"`
			Sig    string `json:"sig"`
			Result string `json:"result"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproof runs both Wycheproof files through verifySignature, the
// check every verification path of this package uses.
func TestWycheproof(t *testing.T) {
	for _, file := range []string{"testdata/wycheproof/ed25519_test.json", "testdata/wycheproof/eddsa_test.legacy-v0.json"} {
		t.Run(file, func(t *testing.T) {
			var f wycheproofFile
			readJSON(t, file, &f)
			n := 0
			for _, g := range f.TestGroups {
				k := g.PublicKey
				if k == nil {
					k = g.Key
				}
				pub := mustHex(t, k.PK)
				for _, tc := range g.Tests {
					n++
					got := verifySignature(pub, mustHex(t, tc.Msg), mustHex(t, tc.Sig))
					if want := tc.Result == "valid"; got != want {
						t.Errorf("tcId %d: verify = %v, want %s", tc.TcID, got, tc.Result)
					}
				}
			}
			if n != f.NumberOfTests {
				t.Fatalf("ran %d tests, file says %d", n, f.NumberOfTests)
			}
		})
	}
}

// TestRFC8032 checks signing and verifying with the section 7.1 vectors,
// signing through crypto.Signer as the package does.
func TestRFC8032(t *testing.T) {
	var f struct {
		Vectors []struct{ Name, SecretKey, PublicKey, Message, Signature string }
	}
	readJSON(t, "testdata/rfc8032/rfc8032_7_1_ed25519.json", &f)
	if len(f.Vectors) != 5 {
		t.Fatalf("want 5 vectors, got %d", len(f.Vectors))
	}
	for _, v := range f.Vectors {
		priv, err := ParsePrivateKey(mustHex(t, v.SecretKey), nil)
		if err != nil {
			t.Fatal(err)
		}
		pub := mustHex(t, v.PublicKey)
		if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(pub)) {
			t.Errorf("%s: derived public key differs", v.Name)
		}
		msg, want := mustHex(t, v.Message), mustHex(t, v.Signature)
		sig, err := priv.Sign(nil, msg, &ed25519.Options{})
		if err != nil || hex.EncodeToString(sig) != v.Signature {
			t.Errorf("%s: signature %x, want %s (%v)", v.Name, sig, v.Signature, err)
		}
		if !verifySignature(pub, msg, want) {
			t.Errorf("%s: does not verify", v.Name)
		}
		bad := append([]byte(nil), want...)
		bad[0] ^= 1
		if verifySignature(pub, msg, bad) {
			t.Errorf("%s: flipped signature verifies", v.Name)
		}
	}
}

// TestSpeccheck documents how this package answers each ed25519-speccheck
// case. crypto/ed25519 alone answers V V V V X X X X X X X V; keys of small
// order (cases 0, 1) or non-canonical encoding (10, 11) are refused when
// they enter a Trust, so through Trust.Verify cases 0, 1 and 11 cannot
// verify either: only 2 and 3 (mixed-order keys, accepted by the
// cofactorless RFC 8032 equation) do.
func TestSpeccheck(t *testing.T) {
	var cases []struct {
		Message   string `json:"message"`
		PubKey    string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	readJSON(t, "testdata/ed25519-speccheck/cases.json", &cases)
	wantVerify := []bool{true, true, true, true, false, false, false, false, false, false, false, true}
	wantWeak := []bool{true, true, false, false, false, false, false, false, false, false, true, true}
	if len(cases) != len(wantVerify) {
		t.Fatalf("want %d cases, got %d", len(wantVerify), len(cases))
	}
	for i, c := range cases {
		pub := ed25519.PublicKey(mustHex(t, c.PubKey))
		if got := verifySignature(pub, mustHex(t, c.Message), mustHex(t, c.Signature)); got != wantVerify[i] {
			t.Errorf("case %d: verify = %v, want %v", i, got, wantVerify[i])
		}
		err := CheckPublicKey(pub)
		if got := errors.Is(err, ErrWeakKey); got != wantWeak[i] {
			t.Errorf("case %d: weak = %v, want %v (%v)", i, got, wantWeak[i], err)
		}
		_, terr := NewTrust(Rule{Key: pub, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
		if (terr != nil) != wantWeak[i] {
			t.Errorf("case %d: NewTrust error %v, want refusal %v", i, terr, wantWeak[i])
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
