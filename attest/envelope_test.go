package attest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestPAE(t *testing.T) {
	if got := string(PAE("http://example.com/HelloWorld", []byte("hello world"))); got != "DSSEv1 29 http://example.com/HelloWorld 11 hello world" {
		t.Errorf("PAE = %q", got)
	}
	if got := string(PAE("", nil)); got != "DSSEv1 0  0 " {
		t.Errorf("empty PAE = %q", got)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	steward := testKey("steward")
	trust, err := NewTrust(Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}})
	if err != nil {
		t.Fatal(err)
	}
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), steward)
	v, err := trust.Verify(data, opts(t0))
	if err != nil {
		t.Fatal(err)
	}
	if v.Statement.PredicateType != testPredicate || !v.Statement.HasSubject("commons:alpha") {
		t.Fatalf("statement %+v", v.Statement)
	}
	if len(v.Signers) != 1 || v.Signers[0] != KeyID(pubOf(steward)) {
		t.Fatalf("signers %v", v.Signers)
	}
	if v.Digest != Digest(v.Payload) || !strings.HasPrefix(v.Digest, "sha256:") {
		t.Fatalf("digest %s", v.Digest)
	}
	if err := v.Envelope.SignedBy(pubOf(steward)); err != nil {
		t.Fatal(err)
	}
	if err := v.Envelope.SignedBy(pubOf(testKey("other"))); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("SignedBy(other) = %v", err)
	}
}

// The digest names the payload, not the envelope: reordering signatures or
// changing key id hints gives the same digest.
func TestDigestIgnoresEnvelopeMalleability(t *testing.T) {
	a, b := testKey("a"), testKey("b")
	trust, _ := NewTrust(
		Rule{Key: pubOf(a), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
		Rule{Key: pubOf(b), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
	)
	st := testStatement(t, "commons:alpha", nil)
	env, _ := SignStatement(st, a, b)
	env2 := &Envelope{PayloadType: env.PayloadType, Payload: env.Payload,
		Signatures: []Signature{{KeyID: "", Sig: env.Signatures[1].Sig}, {KeyID: "whatever", Sig: env.Signatures[0].Sig}}}
	j1, _ := env.MarshalJSON()
	j2, _ := env2.MarshalJSON()
	v1, err1 := trust.Verify(j1, opts(t0))
	v2, err2 := trust.Verify(j2, opts(t0))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if v1.Digest != v2.Digest {
		t.Fatalf("digests differ: %s %s", v1.Digest, v2.Digest)
	}
}

// The go-tuf / python-tuf / in-toto pitfall: one key listed under two ids
// with its signature duplicated must count once.
func TestThresholdCountsDistinctKeys(t *testing.T) {
	a, b := testKey("a"), testKey("b")
	trust, _ := NewTrust(
		Rule{Key: pubOf(a), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
		Rule{Key: pubOf(b), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
	)
	st := testStatement(t, "commons:alpha", nil)
	env, _ := SignStatement(st, a)
	sig := env.Signatures[0].Sig
	env.Signatures = []Signature{{KeyID: KeyID(pubOf(a)), Sig: sig}, {KeyID: "alias-of-a", Sig: sig}, {KeyID: KeyID(pubOf(b)), Sig: sig}}
	data, _ := env.MarshalJSON()
	o := opts(t0)
	o.Threshold = 2
	if _, err := trust.Verify(data, o); !errors.Is(err, ErrThreshold) {
		t.Fatalf("duplicated signature reached 2-of-n: %v", err)
	}
	env2, _ := SignStatement(st, a, b)
	data2, _ := env2.MarshalJSON()
	v, err := trust.Verify(data2, o)
	if err != nil || len(v.Signers) != 2 {
		t.Fatalf("two distinct keys: %v %v", v, err)
	}
}

func TestPinnedTypes(t *testing.T) {
	k := testKey("k")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate, "https://example.com/other/v1"}, Subjects: []string{"*"}})
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	if _, err := trust.Verify(data, VerifyOptions{Time: t0, PredicateTypes: []string{"https://example.com/other/v1"}}); !errors.Is(err, ErrWrongType) {
		t.Fatalf("predicate type confusion: %v", err)
	}
	st := testStatement(t, "commons:alpha", nil)
	payload, _ := st.Payload()
	env, _ := Sign("application/json", payload, k)
	j, _ := env.MarshalJSON()
	if _, err := trust.Verify(j, opts(t0)); !errors.Is(err, ErrWrongType) {
		t.Fatalf("payload type confusion: %v", err)
	}
}

func TestEnvelopeBadInput(t *testing.T) {
	k := testKey("k")
	good := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	var m map[string]any
	if err := json.Unmarshal(good, &m); err != nil {
		t.Fatal(err)
	}
	payload := m["payload"].(string)
	sig := m["signatures"].([]any)[0].(map[string]any)["sig"].(string)
	short := base64.StdEncoding.EncodeToString(make([]byte, 63))
	tests := map[string]string{
		"duplicate key":           `{"payloadType":"a","payloadType":"b","payload":"` + payload + `","signatures":[{"sig":"` + sig + `"}]}`,
		"trailing data":           string(good) + `{}`,
		"no signatures":           `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[]}`,
		"missing signatures":      `{"payloadType":"` + PayloadType + `","payload":"` + payload + `"}`,
		"short signature":         `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"sig":"` + short + `"}]}`,
		"bad padding bits":        `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"sig":"` + sig[:len(sig)-3] + `B==" }]}`,
		"base64 with newline":     `{"payloadType":"` + PayloadType + `","payload":"` + payload[:4] + `\n` + payload[4:] + `","signatures":[{"sig":"` + sig + `"}]}`,
		"empty payloadType":       `{"payloadType":"","payload":"` + payload + `","signatures":[{"sig":"` + sig + `"}]}`,
		"sig not a string":        `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"sig":1}]}`,
		"not an object":           `[]`,
		"invalid utf-8":           "{\"payloadType\":\"\xff\",\"payload\":\"\",\"signatures\":[]}",
		"payload not a statement": string(signedRaw(t, k, PayloadType, []byte(`{"_type":"x"}`))),
	}
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	for name, in := range tests {
		_, err := trust.Verify([]byte(in), opts(t0))
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
		var ve *VerifyError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %T is not *VerifyError", name, err)
		}
	}
	o := opts(t0)
	o.MaxBytes = 100
	if _, err := trust.Verify(good, o); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size limit: %v", err)
	}
	// Unknown envelope members are ignored, as DSSE requires.
	withExtra := strings.Replace(string(good), `{"payloadType"`, `{"x-extra":[1,2],"payloadType"`, 1)
	if _, err := trust.Verify([]byte(withExtra), opts(t0)); err != nil {
		t.Errorf("unknown member: %v", err)
	}
}

func signedRaw(t *testing.T, k ed25519.PrivateKey, pt string, payload []byte) []byte {
	t.Helper()
	env, err := Sign(pt, payload, k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := env.MarshalJSON()
	return b
}

// DSSE allows URL-safe base64; padded and unpadded canonical forms verify.
func TestURLSafeBase64(t *testing.T) {
	k := testKey("k")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	env, _ := SignStatement(testStatement(t, "commons:alpha", map[string]any{"x": "?>?>?>"}), k)
	for _, enc := range []*base64.Encoding{base64.URLEncoding, base64.RawURLEncoding} {
		j := `{"payloadType":"` + env.PayloadType + `","payload":"` + enc.EncodeToString(env.Payload) +
			`","signatures":[{"sig":"` + enc.EncodeToString(env.Signatures[0].Sig) + `"}]}`
		if _, err := trust.Verify([]byte(j), opts(t0)); err != nil {
			t.Errorf("%v: %v", enc == base64.RawURLEncoding, err)
		}
	}
}

// opaqueSigner stands for a key in an agent or HSM: only crypto.Signer.
type opaqueSigner struct {
	pub  crypto.PublicKey
	sign func([]byte) []byte
}

func (o opaqueSigner) Public() crypto.PublicKey { return o.pub }
func (o opaqueSigner) Sign(_ io.Reader, msg []byte, _ crypto.SignerOpts) ([]byte, error) {
	return o.sign(msg), nil
}

// TestAddSignatureThroughSigner: a key behind crypto.Signer signs the same
// bytes as the key in memory (Ed25519 is deterministic); a signer of
// another key type, or one returning a short signature, is refused.
func TestAddSignatureThroughSigner(t *testing.T) {
	k := testKey("hsm")
	st := testStatement(t, "commons:alpha", nil)
	direct, _ := SignStatement(st)
	if err := direct.AddSignature(k); err != nil {
		t.Fatal(err)
	}
	viaHSM, _ := SignStatement(st)
	if err := viaHSM.AddSignature(opaqueSigner{pub: pubOf(k), sign: func(m []byte) []byte { return ed25519.Sign(k, m) }}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(direct.Signatures[0].Sig, viaHSM.Signatures[0].Sig) || direct.Signatures[0].KeyID != viaHSM.Signatures[0].KeyID {
		t.Fatalf("signatures differ: %+v %+v", direct.Signatures[0], viaHSM.Signatures[0])
	}
	if direct.Signatures[0].KeyID != KeyID(pubOf(k)) {
		t.Fatalf("key id %s", direct.Signatures[0].KeyID)
	}
	rsaLike := opaqueSigner{pub: "not a key", sign: func([]byte) []byte { return nil }}
	if err := viaHSM.AddSignature(rsaLike); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("other key type: %v", err)
	}
	short := opaqueSigner{pub: pubOf(k), sign: func([]byte) []byte { return make([]byte, 10) }}
	if err := viaHSM.AddSignature(short); !errors.Is(err, ErrBadSignature) {
		t.Errorf("short signature: %v", err)
	}
}
