package attest

import (
	"bufio"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func checkWeak(t *testing.T, name string, pub []byte) string {
	t.Helper()
	err := CheckPublicKey(pub)
	var ke *KeyError
	if !errors.Is(err, ErrWeakKey) || !errors.As(err, &ke) || !strings.HasPrefix(ke.Detail, KeyID(pub)+" is ") {
		t.Errorf("%s %x: CheckPublicKey = %v, want ErrWeakKey naming the key", name, pub, err)
		return ""
	}
	return strings.TrimPrefix(ke.Detail, KeyID(pub)+" is ")
}

// TestWeakKeysLibsodium: every encoding on libsodium's small-order
// blocklist, with the sign bit clear or set, is refused.
func TestWeakKeysLibsodium(t *testing.T) {
	f, err := os.Open("testdata/libsodium/small_order.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	reasons := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		for _, sign := range []byte{0, 0x80} {
			pub := mustHex(t, line)
			pub[31] |= sign
			reasons[checkWeak(t, fmt.Sprintf("libsodium %s sign %d", line, sign>>7), pub)]++
			n++
		}
	}
	if n != 14 {
		t.Fatalf("checked %d encodings, want 14", n)
	}
	// Small order and non-canonical both occur in the list.
	if reasons["a point of small order"] == 0 || reasons["not a canonical encoding"] == 0 {
		t.Fatalf("reasons given: %v", reasons)
	}
}

// TestWeakKeysNonCanonical: every encoding with y ≥ p (p+0 … p+18, which
// fit in 255 bits) is refused, whether y mod p is on the curve or not,
// with either sign.
func TestWeakKeysNonCanonical(t *testing.T) {
	reasons := map[string]int{}
	for k := range 19 {
		for _, sign := range []byte{0, 0x80} {
			pub := make([]byte, 32)
			for i := range pub {
				pub[i] = 0xff
			}
			pub[0] = 0xed + byte(k) // p = 2^255 - 19 = 0x7fff…ffed, little-endian
			pub[31] = 0x7f | sign
			reasons[checkWeak(t, fmt.Sprintf("p+%d sign %d", k, sign>>7), pub)]++
		}
	}
	if reasons["not a canonical encoding"] == 0 || reasons["not the encoding of a curve point"] == 0 {
		t.Fatalf("reasons given: %v", reasons)
	}
}

// TestGoodKeys: the published vectors' keys and keys made by
// crypto/ed25519 pass.
func TestGoodKeys(t *testing.T) {
	var pubs [][]byte
	for _, file := range []string{"testdata/wycheproof/ed25519_test.json", "testdata/wycheproof/eddsa_test.legacy-v0.json"} {
		var f wycheproofFile
		readJSON(t, file, &f)
		for _, g := range f.TestGroups {
			k := g.PublicKey
			if k == nil {
				k = g.Key
			}
			pubs = append(pubs, mustHex(t, k.PK))
		}
	}
	var r struct{ Vectors []struct{ PublicKey string } }
	readJSON(t, "testdata/rfc8032/rfc8032_7_1_ed25519.json", &r)
	for _, v := range r.Vectors {
		pubs = append(pubs, mustHex(t, v.PublicKey))
	}
	for i := range 200 {
		pubs = append(pubs, pubOf(testKey(fmt.Sprint("good ", i))))
	}
	for _, pub := range pubs {
		if err := CheckPublicKey(ed25519.PublicKey(pub)); err != nil {
			t.Errorf("%x: %v", pub, err)
		}
	}
}
