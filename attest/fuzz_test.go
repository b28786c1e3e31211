package attest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzParseEnvelope(f *testing.F) {
	k := testKey("fuzz")
	good := signedJSON(f, testStatement(f, "commons:alpha", map[string]any{"good": "yes"}), k)
	f.Add(signedJSON(f, testStatement(f, "commons:alpha", nil), k))
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[{"sig":""}]}`))
	f.Add([]byte(`{"payload\u0054ype":"x","payload":"","\u0073ignatures":[{"\u212aeyid":"","sig":""}]}`))
	f.Add([]byte(`{"payloadType":"x","PayloadType":"y","payload":"","signatures":[{"sig":"","𐀀":"","\ud800\udc01":""}]}`))
	f.Add(bytes.Replace(good, []byte(`"keyid"`), []byte(`"KeyID"`), 1))
	f.Add(bytes.Replace(good, []byte(`"sig"`), []byte(`"\u017fig"`), 1))
	// The bounds: one signature past MaxSignatures, and an unhinted
	// signature (tried against every key).
	env, _ := SignStatement(testStatement(f, "commons:alpha", nil), k)
	for len(env.Signatures) <= MaxSignatures {
		env.Signatures = append(env.Signatures, Signature{Sig: env.Signatures[0].Sig})
	}
	many, _ := env.MarshalJSON()
	f.Add(many)
	env.Signatures = env.Signatures[:1]
	env.Signatures[0].KeyID = ""
	unhinted, _ := env.MarshalJSON()
	f.Add(unhinted)
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEnvelope(data)
		if err == nil {
			if _, err := e.MarshalJSON(); err != nil {
				t.Fatal(err)
			}
			// Where encoding/json reads the envelope at all (it knows only
			// standard base64), it reads what we read.
			var theirs struct {
				PayloadType string `json:"payloadType"`
				Payload     []byte `json:"payload"`
				Signatures  []struct {
					KeyID string `json:"keyid"`
					Sig   []byte `json:"sig"`
				} `json:"signatures"`
			}
			if json.Unmarshal(data, &theirs) == nil {
				same := theirs.PayloadType == e.PayloadType && bytes.Equal(theirs.Payload, e.Payload) && len(theirs.Signatures) == len(e.Signatures)
				for i := 0; same && i < len(e.Signatures); i++ {
					same = theirs.Signatures[i].KeyID == e.Signatures[i].KeyID && bytes.Equal(theirs.Signatures[i].Sig, e.Signatures[i].Sig)
				}
				if !same {
					t.Fatalf("read differently:\n ours   %+v\n theirs %+v", e, theirs)
				}
			}
		}
		v, err := trust.Verify(data, opts(t0))
		if err == nil && (v.Digest != Digest(v.Payload) || len(v.Signers) == 0) {
			t.Fatalf("verified without signer or digest: %+v", v)
		}
		// VerifyAll answers as Verify does, here next to a valid envelope.
		vs, errs := trust.VerifyAll([][]byte{data, good}, opts(t0))
		if (err == nil) != (errs[0] == nil) || (err != nil && err.Error() != errs[0].Error()) || (err == nil && vs[0].Digest != v.Digest) || errs[1] != nil {
			t.Fatalf("VerifyAll %v %v, Verify %v", vs[0], errs[0], err)
		}
	})
}

// FuzzParseStatement: an accepted statement re-encodes, and reads as
// encoding/json reads it (which matches names case-insensitively and takes
// the last duplicate): the same type, subjects, predicate type and
// predicate bytes, and the same validity window.
func FuzzParseStatement(f *testing.F) {
	st := testStatement(f, "commons:alpha", map[string]any{"validFrom": "2026-01-01T00:00:00Z"})
	p, _ := st.Payload()
	f.Add(p)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x","predicate":{}}`))
	for _, pred := range []string{
		`{"valid\u0055ntil":"2026-02-01T00:00:00Z"}`,
		`{"ValidUntil":"2026-02-01T00:00:00Z"}`,
		`{"validFrom":"2026-01-01T00:00:00Z","VALIDFROM":"2027-01-01T00:00:00Z"}`,
		`{"\ud800\udc00":1,"𐀁":2,"validUntil":"2026-02-01T00:00:00+01:00"}`,
		`{"\u017fig":1,"\u212a":2}`,
	} {
		f.Add([]byte(statementHead + pred + `}`))
	}
	f.Add([]byte(statementHead + `{},"PredicateType":"y"}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","\u0073ubject":[{"name":"a","digest":{"sha256":"00","𐀀":"1"}}],"predicate\u0054ype":"x","predicate":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatement(data)
		if err != nil {
			return
		}
		var theirs Statement
		if err := json.Unmarshal(data, &theirs); err != nil {
			t.Fatalf("encoding/json refuses an accepted statement: %v", err)
		}
		if theirs.Type != st.Type || theirs.PredicateType != st.PredicateType || !bytes.Equal(theirs.Predicate, st.Predicate) || !reflect.DeepEqual(theirs.Subject, st.Subject) {
			t.Fatalf("read differently:\n ours   %+v\n theirs %+v", st, theirs)
		}
		from, until, err := validity(st.Predicate)
		if err != nil {
			return
		}
		var window struct {
			ValidFrom  *string `json:"validFrom"`
			ValidUntil *string `json:"validUntil"`
		}
		if json.Unmarshal(st.Predicate, &window) == nil {
			for _, w := range []struct {
				theirs *string
				ours   time.Time
			}{{window.ValidFrom, from}, {window.ValidUntil, until}} {
				if w.theirs == nil {
					if !w.ours.IsZero() {
						t.Fatalf("window %v read where encoding/json reads none", w.ours)
					}
					continue
				}
				if tt, err := time.Parse(time.RFC3339, *w.theirs); err != nil || !tt.Equal(w.ours) {
					t.Fatalf("encoding/json reads window %q, ours %v", *w.theirs, w.ours)
				}
			}
		}
		if _, err := st.Payload(); err != nil {
			t.Fatalf("accepted statement does not re-encode: %v", err)
		}
	})
}

func FuzzParseSSHSignature(f *testing.F) {
	b, _ := os.ReadFile("testdata/sshsig/ed25519.sig")
	f.Add(b)
	ours, _ := SignSSH(testKey("fuzz"), "ns", []byte("m"), "sha256")
	f.Add(ours)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSSHSignature(data)
		if err == nil {
			_ = s.Verify([]byte("m"), s.Namespace)
		}
	})
}

func FuzzParseKeys(f *testing.F) {
	priv := testKey("fuzz")
	pemPriv, _ := MarshalPKCS8PrivateKey(priv)
	pemPub, _ := MarshalPKIXPublicKey(pubOf(priv))
	sshPriv, _ := MarshalOpenSSHPrivateKey(priv, "c", nil)
	f.Add(pemPriv)
	f.Add(pemPub)
	f.Add(sshPriv)
	f.Add(MarshalAuthorizedKey(pubOf(priv), "c"))
	f.Add([]byte(priv.Seed()))
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := ParsePrivateKey(data, nil); err == nil && len(k) != 64 {
			t.Fatalf("private key of %d bytes", len(k))
		}
		if k, err := ParsePublicKey(data); err == nil {
			if len(k) != 32 {
				t.Fatalf("public key of %d bytes", len(k))
			}
			_ = CheckPublicKey(k)
		}
	})
}

func FuzzParseAllowedSigners(f *testing.F) {
	b, _ := os.ReadFile("testdata/sshsig/allowed_signers.local")
	f.Add(b)
	f.Add([]byte(`a,b namespaces="x,y",valid-after="20250101" ` + string(MarshalAuthorizedKey(pubOf(testKey("a")), "c"))))
	pub := string(MarshalAuthorizedKey(pubOf(testKey("a")), ""))
	f.Add([]byte(`*,!mallory@example.com NAMESPACES="*,!git",Valid-Before="20270101000000Z" ` + pub))
	f.Add([]byte(`"a b,c" namespaces="x\"y",,valid-after="202501011200UTC" ` + pub + "\r\n# c\n"))
	f.Add([]byte("a namespaces=\"git\",namespaces=\"*\" " + pub))
	sig, _ := SignSSH(testKey("a"), "git", []byte("m"), "")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseAllowedSigners(data)
		if err != nil {
			var ae *AllowedSignersError
			if !errors.As(err, &ae) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		for _, l := range s {
			if len(l.Key) != 32 || len(l.Principals) == 0 || CheckPublicKey(l.Key) != nil {
				t.Fatalf("bad line accepted: %+v", l)
			}
			if !l.ValidAfter.IsZero() && !l.ValidBefore.IsZero() && !l.ValidBefore.After(l.ValidAfter) {
				t.Fatalf("empty window accepted: %+v", l)
			}
			for _, p := range append(append([]string(nil), l.Principals...), l.Namespaces...) {
				if strings.ContainsAny(p, "\x00\r\n") {
					t.Fatalf("pattern %q accepted", p)
				}
			}
		}
		// Whatever was accepted can be asked; it must answer, not panic.
		_, _ = s.VerifySSH(sig, []byte("m"), "a", "git", t0)
	})
}
