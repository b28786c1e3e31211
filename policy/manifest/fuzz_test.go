package manifest

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// FuzzParse feeds Parse arbitrary documents: it must refuse or accept
// without panicking, and what it accepts must write back as a document
// that parses to the same bytes again.
func FuzzParse(f *testing.F) {
	m := draft(f, "alpha", 3, 2, []string{"r1", "r2", "r3"}, "s1", "s2")
	m.Roles.Registrars = keysOf("reg")
	m.Roles.GrantSigners = []Key{{Public: pub("market"), From: day(0), Until: day(500)}}
	m.Payout = &Payout{Currency: "EUR", Association: "assoc", AssociationBP: 1000, KindWeights: map[string]licenseMilli{"code": 1000}, Signers: keysOf("t")}
	recognise(m, "beta", 2, 500)
	doc, err := m.MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"id":"a","id":"a"}`))
	f.Add(bytes.Replace(doc, []byte(`"weight":0.5`), []byte(`"weight":0.0005`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		out, err := m.MarshalJSON()
		if err != nil {
			t.Fatalf("accepted manifest does not marshal: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("written document does not parse: %v\n%s", err, out)
		}
		again, err := back.MarshalJSON()
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("round trip differs:\n%s\n%s", out, again)
		}
	})
}

// FuzzOpen feeds Open arbitrary envelopes: it must refuse with an *Error
// or return a chain whose only version is what the root keys signed.
func FuzzOpen(f *testing.F) {
	m := draft(f, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1")
	recognise(m, "beta", 1, 500)
	f.Add(signed(f, m, "r1", "r2"))
	f.Add(signed(f, m, "r1", "r1"))
	f.Add(signed(f, m, "r3"))
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"` + strings.Repeat("A", 86) + `=="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Open(data, "")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		v := c.Latest()
		env, err := attest.ParseEnvelope(data)
		if err != nil {
			t.Fatalf("accepted an envelope attest cannot parse: %v", err)
		}
		if v.Digest != attest.Digest(env.Payload) || v.Manifest.Version != 1 || len(v.Signers) < v.Manifest.Roles.RootThreshold {
			t.Fatalf("accepted %s version %d with %d signers", v.Digest, v.Manifest.Version, len(v.Signers))
		}
		for _, s := range v.Signers {
			if !slices.ContainsFunc(v.Manifest.Roles.Root, func(k Key) bool { return k.ID() == s }) {
				t.Fatalf("signer %s is not a root key", s)
			}
		}
	})
}
