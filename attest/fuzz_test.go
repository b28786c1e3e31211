package attest

import (
	"os"
	"testing"
)

func FuzzParseEnvelope(f *testing.F) {
	k := testKey("fuzz")
	good := signedJSON(f, testStatement(f, "commons:alpha", map[string]any{"good": "yes"}), k)
	f.Add(signedJSON(f, testStatement(f, "commons:alpha", nil), k))
	f.Add([]byte(`{"payloadType":"x","payload":"","signatures":[{"sig":""}]}`))
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

func FuzzParseStatement(f *testing.F) {
	st := testStatement(f, "commons:alpha", map[string]any{"validFrom": "2026-01-01T00:00:00Z"})
	p, _ := st.Payload()
	f.Add(p)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x","predicate":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatement(data)
		if err != nil {
			return
		}
		if _, _, err := validity(st.Predicate); err != nil {
			return
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
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseAllowedSigners(data)
		if err == nil {
			for _, l := range s {
				if len(l.Key) != 32 || len(l.Principals) == 0 {
					t.Fatalf("bad line accepted: %+v", l)
				}
			}
		}
	})
}
