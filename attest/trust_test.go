package attest

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTrustScopeAndTime(t *testing.T) {
	k := testKey("steward")
	from, until := t0, t0.AddDate(1, 0, 0)
	trust, err := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:alpha"}, From: from, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	stranger := testKey("stranger")
	window := map[string]any{"validFrom": "2026-03-01T00:00:00Z", "validUntil": "2026-06-01T00:00:00Z"}
	tests := []struct {
		name string
		data []byte
		at   time.Time
		want error
	}{
		{"in scope", signedJSON(t, testStatement(t, "commons:alpha", nil), k), t0.AddDate(0, 1, 0), nil},
		{"other commons", signedJSON(t, testStatement(t, "commons:beta", nil), k), t0.AddDate(0, 1, 0), ErrOutOfScope},
		{"before key trusted", signedJSON(t, testStatement(t, "commons:alpha", nil), k), t0.Add(-time.Second), ErrNotYetValid},
		{"key trust ended", signedJSON(t, testStatement(t, "commons:alpha", nil), k), until, ErrExpired},
		{"untrusted signer", signedJSON(t, testStatement(t, "commons:alpha", nil), stranger), t0.AddDate(0, 1, 0), ErrUntrustedKey},
		{"statement not yet valid", signedJSON(t, testStatement(t, "commons:alpha", window), k), t0.AddDate(0, 1, 0), ErrNotYetValid},
		{"statement valid", signedJSON(t, testStatement(t, "commons:alpha", window), k), t0.AddDate(0, 3, 0), nil},
		{"statement expired at validUntil", signedJSON(t, testStatement(t, "commons:alpha", window), k), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ErrExpired},
	}
	for _, tc := range tests {
		v, err := trust.Verify(tc.data, opts(tc.at))
		// Outside the statement's own window, its content comes with the
		// refusal; every other refusal returns none.
		withContent := tc.want == nil || strings.HasPrefix(tc.name, "statement ")
		if !errors.Is(err, tc.want) || withContent != (v != nil) {
			t.Errorf("%s: Verify = %v, %v; want %v", tc.name, v, err, tc.want)
		}
		var ve *VerifyError
		if err != nil && (!errors.As(err, &ve) || ve.Digest == "") {
			t.Errorf("%s: error lacks the statement digest: %v", tc.name, err)
		}
	}
	// A bad signature under a trusted key's hint is reported as such.
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	env, _ := ParseEnvelope(data)
	env.Signatures[0].Sig[5] ^= 0xff
	forged, _ := env.MarshalJSON()
	if _, err := trust.Verify(forged, opts(t0.AddDate(0, 1, 0))); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged: %v", err)
	}
	if _, err := trust.Verify(data, VerifyOptions{PredicateTypes: []string{testPredicate}}); !errors.Is(err, ErrConfig) {
		t.Errorf("zero time accepted: %v", err)
	}
}

func TestRevocation(t *testing.T) {
	steward, revoker := testKey("steward"), testKey("revoker")
	trust, _ := NewTrust(
		Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(revoker), PredicateTypes: []string{RevocationPredicateType}, Subjects: []string{"key:*", "statement:*"}},
	)
	stData := signedJSON(t, testStatement(t, "commons:alpha", nil), steward)
	v, err := trust.Verify(stData, opts(t0))
	if err != nil {
		t.Fatal(err)
	}
	gen := trust.Generation()

	// The steward cannot revoke: it is not trusted for revocations.
	rst, _ := NewRevocationStatement(Revocation{Statement: v.Digest, Reason: "entered in error"})
	if _, err := trust.Revoke(signedJSON(t, rst, steward), t0); !errors.Is(err, ErrOutOfScope) {
		t.Fatalf("steward revoked: %v", err)
	}
	if _, err := trust.Revoke(signedJSON(t, rst, revoker), t0); err != nil {
		t.Fatal(err)
	}
	if trust.Generation() == gen || !trust.RevokedStatement(v.Digest) {
		t.Fatal("revocation not applied")
	}
	if _, err := trust.Verify(stData, opts(t0)); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked statement verified: %v", err)
	}

	// Revoking a key from a time: statements verified before still pass.
	from := t0.AddDate(0, 6, 0)
	other := signedJSON(t, testStatement(t, "commons:beta", nil), steward)
	kst, _ := NewRevocationStatement(Revocation{Key: KeyID(pubOf(steward)), From: &from})
	if _, err := trust.Revoke(signedJSON(t, kst, revoker), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := trust.Verify(other, opts(from.Add(-time.Second))); err != nil {
		t.Fatalf("before revocation: %v", err)
	}
	_, err = trust.Verify(other, opts(from))
	var ve *VerifyError
	if !errors.Is(err, ErrRevoked) || !errors.As(err, &ve) || ve.KeyID != KeyID(pubOf(steward)) {
		t.Fatalf("after revocation: %v", err)
	}
	// A revocation whose subject does not match its predicate is refused.
	bad, _ := NewStatement(RevocationPredicateType, Revocation{Statement: v.Digest}, SubjectFor("statement:sha256:"+strings.Repeat("0", 64)))
	if _, err := trust.Revoke(signedJSON(t, bad, revoker), t0); err == nil {
		t.Fatal("mismatched revocation subject accepted")
	}
}

func TestVerifyCacheAndConcurrency(t *testing.T) {
	k := testKey("k")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if _, err := trust.Verify(data, opts(t0.Add(time.Duration(i*j)*time.Hour))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// A concurrent mutation bumps the generation; verification stays right.
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := trust.Add(Rule{Key: pubOf(testKey("late")), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}}); err != nil {
			t.Error(err)
		}
	}()
	wg.Wait()
	// Cached results still judge time: the same bytes under a narrower rule.
	narrow, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}, Until: t0.Add(time.Hour)})
	if _, err := narrow.Verify(data, opts(t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := narrow.Verify(data, opts(t0.Add(time.Hour))); !errors.Is(err, ErrExpired) {
		t.Fatalf("cached result ignored time: %v", err)
	}
}

func TestRuleValidation(t *testing.T) {
	k := pubOf(testKey("k"))
	for name, r := range map[string]Rule{
		"no predicate":  {Key: k, Subjects: []string{"*"}},
		"no subject":    {Key: k, PredicateTypes: []string{testPredicate}},
		"until <= from": {Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}, From: t0, Until: t0},
		"short key":     {Key: k[:31], PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
	} {
		if _, err := NewTrust(r); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Verified.Signers has a small inline array; more signers must all be kept.
func TestManySigners(t *testing.T) {
	var rules []Rule
	var keys []ed25519.PrivateKey
	for _, l := range []string{"s1", "s2", "s3", "s4"} {
		k := testKey(l)
		keys = append(keys, k)
		rules = append(rules, Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	}
	trust, _ := NewTrust(rules...)
	v, err := trust.Verify(signedJSON(t, testStatement(t, "commons:alpha", nil), keys...), VerifyOptions{Time: t0, PredicateTypes: []string{testPredicate}, Threshold: 4})
	if err != nil || len(v.Signers) != 4 {
		t.Fatalf("%v %v", v, err)
	}
	seen := map[string]bool{}
	for _, s := range v.Signers {
		seen[s] = true
	}
	if len(seen) != 4 {
		t.Fatalf("signers %v", v.Signers)
	}
}

// TestKeyIDHints: a key id is a hint. A co-signer's fingerprint that names
// no trusted key is not tried against the keyring, so a trusted key's
// signature filed under a stranger's fingerprint does not count; a key id
// in another form (or none) is tried against every trusted key.
func TestKeyIDHints(t *testing.T) {
	steward, stranger := testKey("steward"), testKey("stranger")
	trust, err := NewTrust(Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	data := signedJSON(t, testStatement(t, "commons:alpha", nil), steward, stranger)
	if v, err := trust.Verify(data, opts(t0)); err != nil || len(v.Signers) != 1 {
		t.Fatalf("co-signed by a stranger: %v %v", v, err)
	}
	env, _ := ParseEnvelope(data)
	for _, tc := range []struct {
		keyID string
		count bool
	}{
		{KeyID(pubOf(stranger)), false},
		{"", true},
		{"9f86d081884c7d65", true},
		{"SHA256:short", true},
	} {
		e := &Envelope{PayloadType: env.PayloadType, Payload: env.Payload, Signatures: []Signature{{KeyID: tc.keyID, Sig: env.Signatures[0].Sig}}}
		_, err := trust.VerifyEnvelope(e, opts(t0))
		if (err == nil) != tc.count {
			t.Errorf("steward's signature under key id %q: err %v, want counted %v", tc.keyID, err, tc.count)
		}
		if !tc.count && !errors.Is(err, ErrUntrustedKey) {
			t.Errorf("key id %q: %v, want ErrUntrustedKey", tc.keyID, err)
		}
	}
}

// TestHolds: the span an answer holds for is bounded by the statement's
// window, the key's rule and its revocation, and the answer is the same at
// both ends of the span and different just outside it.
func TestHolds(t *testing.T) {
	k, registrar := testKey("steward"), testKey("registrar")
	ruleFrom, ruleUntil := t0, t0.AddDate(1, 0, 0)
	trust, err := NewTrust(
		Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:alpha"}, From: ruleFrom, Until: ruleUntil},
		Rule{Key: pubOf(registrar), PredicateTypes: []string{RevocationPredicateType}, Subjects: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	vFrom, vUntil := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	data := signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"validFrom": vFrom.Format(time.RFC3339), "validUntil": vUntil.Format(time.RFC3339)}), k)
	// answer is the span and the whole answer, detail included.
	answer := func(at time.Time) (Span, string) {
		v, err := trust.Verify(data, opts(at))
		var ve *VerifyError
		switch {
		case err == nil:
			return v.Holds, "verified"
		case errors.As(err, &ve):
			return ve.Holds, ve.Error()
		}
		t.Fatalf("at %s: %v", at, err)
		return Span{}, ""
	}
	for _, tc := range []struct {
		at   time.Time
		want Span
	}{
		{ruleFrom.Add(-time.Hour), Span{Until: ruleFrom}},
		{ruleFrom.Add(time.Hour), Span{From: ruleFrom, Until: vFrom}},
		{vFrom.AddDate(0, 1, 0), Span{From: vFrom, Until: vUntil}},
		{vUntil.AddDate(0, 1, 0), Span{From: vUntil, Until: ruleUntil}},
		{ruleUntil.AddDate(0, 1, 0), Span{From: ruleUntil}},
	} {
		got, err := answer(tc.at)
		if got != tc.want {
			t.Errorf("at %s: holds %+v, want %+v", tc.at, got, tc.want)
		}
		if !got.Contains(tc.at) {
			t.Errorf("at %s: holds %+v does not contain it", tc.at, got)
		}
		if !got.From.IsZero() {
			if _, e2 := answer(got.From); e2 != err {
				t.Errorf("at the span's start %s: %v, inside %v", got.From, e2, err)
			}
			if _, e2 := answer(got.From.Add(-1)); e2 == err {
				t.Errorf("just before the span %s the answer %v is the same", got.From, err)
			}
		}
		if !got.Until.IsZero() {
			if _, e2 := answer(got.Until.Add(-1)); e2 != err {
				t.Errorf("at the span's end %s: %v, inside %v", got.Until, e2, err)
			}
		}
	}
	// Revoking the key from an instant adds that instant as a boundary.
	revokeAt := vFrom.AddDate(0, 1, 0)
	rst, _ := NewRevocationStatement(Revocation{Key: KeyID(pubOf(k)), From: &revokeAt})
	if _, err := trust.Revoke(signedJSON(t, rst, registrar), t0.AddDate(0, 2, 0)); err != nil {
		t.Fatal(err)
	}
	if got, a := answer(vFrom.AddDate(0, 0, 1)); a != "verified" || got != (Span{From: vFrom, Until: revokeAt}) {
		t.Errorf("after revocation: %+v, %v", got, a)
	}
	if got, a := answer(revokeAt); !strings.Contains(a, ErrRevoked.Error()) || got != (Span{From: revokeAt, Until: vUntil}) {
		t.Errorf("revoked: %+v, %v", got, a)
	}
}

// TestVerifyAllMatchesVerify: VerifyAll answers, envelope by envelope,
// what Verify answers, for valid, forged, untrusted, malformed, oversize,
// repeated, co-signed, hint-less and out-of-scope envelopes, from a cold
// cache and from a warm one.
func TestVerifyAllMatchesVerify(t *testing.T) {
	steward, other, stranger := testKey("steward"), testKey("other"), testKey("stranger")
	rules := []Rule{
		{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:alpha"}},
		{Key: pubOf(other), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
	}
	good := signedJSON(t, testStatement(t, "commons:alpha", nil), steward)
	env, _ := ParseEnvelope(good)
	env.Signatures[0].Sig = append([]byte(nil), env.Signatures[0].Sig...)
	env.Signatures[0].Sig[7] ^= 1
	forged, _ := env.MarshalJSON()
	env, _ = ParseEnvelope(signedJSON(t, testStatement(t, "commons:beta", nil), other))
	env.Signatures[0].KeyID = ""
	hintless, _ := env.MarshalJSON()
	envelopes := [][]byte{
		good,
		forged,
		signedJSON(t, testStatement(t, "commons:alpha", nil), stranger),
		signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"n": "2"}), steward, stranger),
		signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"n": "3"}), steward, other),
		signedJSON(t, testStatement(t, "commons:beta", nil), steward),
		hintless,
		[]byte(`{"payloadType":`),
		good,
		append(append([]byte(nil), good[:len(good)-1]...), []byte(`,"pad":"`+strings.Repeat("x", DefaultMaxEnvelopeBytes)+`"}`)...),
	}
	o := opts(t0)
	o.Threshold = 1
	answer := func(v *Verified, err error) string {
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("%s %v %s", v.Digest, v.Signers, v.Statement.PredicateType)
	}
	one, _ := NewTrust(rules...)
	var want []string
	for _, e := range envelopes {
		want = append(want, answer(one.Verify(e, o)))
	}
	all, _ := NewTrust(rules...)
	for pass := range 2 {
		vs, errs := all.VerifyAll(envelopes, o)
		for i := range envelopes {
			if got := answer(vs[i], errs[i]); got != want[i] {
				t.Errorf("pass %d, envelope %d: VerifyAll %s, Verify %s", pass, i, got, want[i])
			}
		}
	}
	// What VerifyAll cached, Verify finds.
	for i, e := range envelopes {
		if got := answer(all.Verify(e, o)); got != want[i] {
			t.Errorf("envelope %d after VerifyAll: %s, want %s", i, got, want[i])
		}
	}
	if !strings.HasPrefix(want[0], "sha256:") || !strings.Contains(want[1], ErrBadSignature.Error()) || !strings.Contains(want[4], "SHA256:") {
		t.Fatalf("the cases do not cover what they should: %q", want)
	}
}

// TestCacheComparesBytes: a cache entry answers only for the bytes it was
// made from, so a hash collision can cost a re-verification but never
// lend one envelope's answer to another.
func TestCacheComparesBytes(t *testing.T) {
	k := testKey("steward")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	good := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	if _, err := trust.Verify(good, opts(t0)); err != nil {
		t.Fatal(err)
	}
	key := trust.cacheKey(good)
	if _, ok := trust.cached(key, good); !ok {
		t.Fatal("the verified envelope is not cached")
	}
	other := bytes.Replace(good, []byte(`"payloadType"`), []byte(` "payloadType"`), 1)
	if _, ok := trust.cached(key, other); ok {
		t.Fatal("an entry answered for other bytes under its key")
	}
}

// TestCacheOwnership: by default the cache keeps its own copy, so a caller
// reusing its buffer changes nothing cached; with Owned it keeps the
// caller's bytes themselves, through Verify and VerifyAll alike.
func TestCacheOwnership(t *testing.T) {
	k := testKey("steward")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	good := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	shares := func(data []byte) bool {
		res, ok := trust.cached(trust.cacheKey(data), data)
		if !ok {
			t.Fatal("the verified envelope is not cached")
		}
		return &res.raw[0] == &data[0]
	}
	o := opts(t0)
	if _, err := trust.Verify(good, o); err != nil || shares(good) {
		t.Fatalf("without Owned the cache must copy (err %v)", err)
	}
	for _, all := range []bool{false, true} {
		trust.ResetCache()
		o.Owned = true
		var err error
		if all {
			_, errs := trust.VerifyAll([][]byte{good}, o)
			err = errs[0]
		} else {
			_, err = trust.Verify(good, o)
		}
		if err != nil || !shares(good) {
			t.Fatalf("VerifyAll=%v: with Owned the cache must keep the caller's bytes (err %v)", all, err)
		}
	}
}

// TestIsKeyID: what KeyID writes has the form; near misses do not.
func TestIsKeyID(t *testing.T) {
	id := KeyID(pubOf(testKey("x")))
	if !IsKeyID(id) {
		t.Fatalf("IsKeyID(%q) = false", id)
	}
	for _, bad := range []string{"", id[:len(id)-1], id + "A", "sha256:" + id[7:], id[:20] + "-" + id[21:], id[:20] + "=" + id[21:]} {
		if IsKeyID(bad) {
			t.Errorf("IsKeyID(%q) = true", bad)
		}
	}
}
