package manifest

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/peerproduction/ppl/license"
)

// priv returns a key made from its name, so tests are reproducible.
func priv(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl manifest test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func pub(name string) ed25519.PublicKey { return priv(name).Public().(ed25519.PublicKey) }

func keyOf(name string) Key { return Key{Public: pub(name), Comment: name} }

func keysOf(names ...string) []Key {
	out := make([]Key, len(names))
	for i, n := range names {
		out[i] = keyOf(n)
	}
	return out
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// draft is a manifest of commons id at version v, issued on day v*10 and
// expiring a year later, with the given root keys and stewards.
func draft(t testing.TB, id string, v int64, threshold int, roots []string, stewards ...string) *Manifest {
	t.Helper()
	terms, err := BuiltinTerms("ppl-reciprocity")
	if err != nil {
		t.Fatal(err)
	}
	return &Manifest{ID: id, Name: id, Version: v, IssuedAt: day(int(v) * 10), Expires: day(int(v)*10 + 365),
		Terms: terms, Roles: Roles{Root: keysOf(roots...), RootThreshold: threshold, Stewards: keysOf(stewards...)}}
}

// signed signs m with the named keys and returns the envelope's JSON.
func signed(t testing.TB, m *Manifest, signers ...string) []byte {
	t.Helper()
	ss := make([]crypto.Signer, len(signers))
	for i, s := range signers {
		ss[i] = priv(s)
	}
	env, err := Sign(m, ss...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func recognise(m *Manifest, id string, version int64, weight license.Milli) *Manifest {
	m.Recognises = append(m.Recognises, Recognition{Commons: id, Version: version, Weight: weight})
	return m
}

type licenseMilli = license.Milli

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func signerList(names []string) []crypto.Signer {
	out := make([]crypto.Signer, len(names))
	for i, n := range names {
		out[i] = priv(n)
	}
	return out
}
