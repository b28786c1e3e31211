package attest

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// keyring returns a Trust of n keys, each trusted for testPredicate about
// any subject, and the keys.
func keyring(tb testing.TB, n int) (*Trust, []ed25519.PrivateKey) {
	tb.Helper()
	keys := make([]ed25519.PrivateKey, n)
	rules := make([]Rule, n)
	for i := range keys {
		keys[i] = testKey(fmt.Sprint("ring ", i))
		rules[i] = Rule{Key: pubOf(keys[i]), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}}
	}
	trust, err := NewTrust(rules...)
	if err != nil {
		tb.Fatal(err)
	}
	return trust, keys
}

// bogus is a signature by k over something else: well formed, so a
// verifier does all the work of checking it before refusing it.
func bogus(k ed25519.PrivateKey, i int) []byte {
	return ed25519.Sign(k, fmt.Appendf(nil, "not this envelope %d", i))
}

// payloadOf returns a statement payload of about n bytes.
func payloadOf(tb testing.TB, n int) []byte {
	tb.Helper()
	st := testStatement(tb, "commons:alpha", map[string]any{"pad": strings.Repeat("p", max(n-200, 0))})
	p, err := st.Payload()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// envelopeJSON writes an envelope of payload with sigs, with an unknown
// member of pad bytes in front (DSSE readers must ignore it).
func envelopeJSON(tb testing.TB, payload []byte, sigs []Signature, pad int) []byte {
	tb.Helper()
	e := &Envelope{PayloadType: PayloadType, Payload: payload, Signatures: sigs}
	b, err := e.MarshalJSON()
	if err != nil {
		tb.Fatal(err)
	}
	if pad > 0 {
		b = slicesConcat([]byte(`{"padding":"`), bytes.Repeat([]byte("x"), pad), []byte(`",`), b[1:])
	}
	return b
}

func slicesConcat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestSignatureCap: an envelope carries at most MaxSignatures signatures;
// more is ErrTooLarge naming the count, refused before any is checked.
func TestSignatureCap(t *testing.T) {
	trust, keys := keyring(t, 2)
	payload := payloadOf(t, 300)
	good := Signature{KeyID: KeyID(pubOf(keys[0])), Sig: ed25519.Sign(keys[0], PAE(PayloadType, payload))}
	sigs := []Signature{good}
	for i := 1; i < MaxSignatures; i++ { // co-signers this Trust does not hold
		k := testKey(fmt.Sprint("stranger ", i))
		sigs = append(sigs, Signature{KeyID: KeyID(pubOf(k)), Sig: ed25519.Sign(k, PAE(PayloadType, payload))})
	}
	if _, err := trust.Verify(envelopeJSON(t, payload, sigs, 0), opts(t0)); err != nil {
		t.Fatalf("%d signatures: %v", len(sigs), err)
	}
	sigs = append(sigs, Signature{Sig: bogus(keys[1], 0)})
	data := envelopeJSON(t, payload, sigs, 0)
	_, err := trust.Verify(data, opts(t0))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Err != ErrTooLarge || !strings.Contains(ve.Detail, fmt.Sprintf("/signatures has %d signatures, limit %d", MaxSignatures+1, MaxSignatures)) {
		t.Fatalf("%d signatures: %v, want ErrTooLarge naming the count", len(sigs), err)
	}
	if _, err := ParseEnvelope(data); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ParseEnvelope: %v, want ErrTooLarge", err)
	}
}

// TestCheckBudget: the checks an envelope asks for are bounded before any
// is made. An unhinted signature is tried against every trusted key only
// while that stays within the bound; signatures naming trusted keys cost
// one check each, in proportion to the message they hash.
func TestCheckBudget(t *testing.T) {
	small := payloadOf(t, 1000)
	per := paeLen(PayloadType, len(small)) + checkOverhead
	fits := maxCheckCost / per // checks of a 1 KB message an envelope may ask for
	ring, keys := keyring(t, fits)
	big, bigKeys := keyring(t, fits+1)
	last := keys[len(keys)-1]
	unhinted := []Signature{{Sig: ed25519.Sign(last, PAE(PayloadType, small))}}

	// One unhinted signature against as many keys as fit: tried, and found.
	if v, err := ring.Verify(envelopeJSON(t, small, unhinted, 0), opts(t0)); err != nil || v.Signers[0] != KeyID(pubOf(last)) {
		t.Fatalf("unhinted signature, %d keys: %v", fits, err)
	}
	// One key more and it would cost more than an envelope may: refused
	// before any check, saying what to do.
	unhinted[0].Sig = ed25519.Sign(bigKeys[0], PAE(PayloadType, small))
	_, err := big.Verify(envelopeJSON(t, small, unhinted, 0), opts(t0))
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Err != ErrTooLarge || !strings.Contains(ve.Detail, fmt.Sprintf("each against all %d trusted keys", fits+1)) ||
		!strings.Contains(ve.Detail, "key id") || ve.Digest != Digest(small) {
		t.Fatalf("unhinted signature, %d keys: %v, want ErrTooLarge", fits+1, err)
	}
	// The same signature with its key id costs one check.
	unhinted[0].KeyID = KeyID(pubOf(bigKeys[0]))
	if _, err := big.Verify(envelopeJSON(t, small, unhinted, 0), opts(t0)); err != nil {
		t.Fatalf("hinted signature, %d keys: %v", fits+1, err)
	}

	// A large message affords few checks: as many hinted signatures as
	// fit verify, one more is refused whether or not any is valid.
	payload := payloadOf(t, 300<<10)
	n := maxCheckCost / (paeLen(PayloadType, len(payload)) + checkOverhead)
	var sigs []Signature
	for i := range n {
		sigs = append(sigs, Signature{KeyID: KeyID(pubOf(keys[i])), Sig: ed25519.Sign(keys[i], PAE(PayloadType, payload))})
	}
	if v, err := ring.Verify(envelopeJSON(t, payload, sigs, 0), opts(t0)); err != nil || len(v.Signers) != n {
		t.Fatalf("%d signatures of a %d-byte payload: %v", n, len(payload), err)
	}
	sigs = append(sigs, Signature{KeyID: KeyID(pubOf(keys[n])), Sig: bogus(keys[n], 0)})
	if _, err := ring.Verify(envelopeJSON(t, payload, sigs, 0), opts(t0)); !errors.As(err, &ve) || ve.Err != ErrTooLarge || !strings.Contains(ve.Detail, fmt.Sprintf("%d checks", n+1)) {
		t.Fatalf("%d signatures of a %d-byte payload: %v, want ErrTooLarge", n+1, len(payload), err)
	}
}

// TestRefusalsKeepNoBytes: a refused envelope costs the verification cache
// a few hundred bytes, not the envelope: anyone can send refused envelopes
// without end.
func TestRefusalsKeepNoBytes(t *testing.T) {
	const n, size = 100, 256 << 10
	trust, keys := keyring(t, 3)
	payload := payloadOf(t, size*3/4-300)
	data := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[0])), Sig: bogus(keys[0], 0)}}, 0)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		// Distinct envelopes: a different signature each time.
		env := bytes.Clone(data)
		// (The last character before the padding is left alone: its low
		// bits must stay zero for the base64 to be canonical.)
		copy(env[len(env)-len(`=="}]}`)-9:], fmt.Sprintf("%08d", i))
		if _, err := trust.Verify(env, opts(t0)); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("envelope %d: %v, want a refusal", i, err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(trust)
	// Keeping the envelopes would be n × 1.75 × size, over 40 MiB.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 4<<20 {
		t.Fatalf("%d refused %d KiB envelopes grew the heap by %.1f MiB", n, size>>10, float64(grew)/(1<<20))
	}
}

// TestCacheBounds: the cache never holds more than maxCacheBytes; an entry
// counts the envelope and payload it keeps; one too large for the cache is
// not kept at all.
func TestCacheBounds(t *testing.T) {
	c := newVerifyCache()
	for i := range 200 {
		c.put(cacheKey{sum: uint64(i)}, &sigResult{size: 1 << 20})
		if _, size := c.usage(); size > maxCacheBytes {
			t.Fatalf("after %d entries the cache holds %d bytes, bound %d", i+1, size, maxCacheBytes)
		}
	}
	c.put(cacheKey{sum: 1000}, &sigResult{size: maxCacheBytes + 1})
	if _, ok := c.m[cacheKey{sum: 1000}]; ok {
		t.Fatal("an entry over the byte bound was kept")
	}
	c.put(cacheKey{sum: 1001}, &sigResult{size: 10})
	c.put(cacheKey{sum: 1001}, &sigResult{size: 20}) // replaced, counted once
	n0, s0 := c.usage()
	c.put(cacheKey{sum: 1001}, &sigResult{size: 30})
	if n, s := c.usage(); n != n0 || s != s0+10 {
		t.Fatalf("replacing an entry: %d entries, %d bytes; want %d, %d", n, s, n0, s0+10)
	}

	trust, keys := keyring(t, 1)
	payload := payloadOf(t, 100<<10)
	data := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[0])), Sig: ed25519.Sign(keys[0], PAE(PayloadType, payload))}}, 0)
	if _, err := trust.Verify(data, opts(t0)); err != nil {
		t.Fatal(err)
	}
	if n, size := trust.cache.usage(); n != 1 || size < len(data)+len(payload) {
		t.Fatalf("one %d-byte envelope: cache holds %d entries, %d bytes", len(data), n, size)
	}
	trust.ResetCache()
	if n, size := trust.cache.usage(); n != 0 || size != 0 {
		t.Fatalf("after ResetCache: %d entries, %d bytes", n, size)
	}
}

// TestCachedRefusal: a refusal is found again by the hash it keeps, and
// bytes that merely share the cache key are not taken for it.
func TestCachedRefusal(t *testing.T) {
	trust, keys := keyring(t, 1)
	payload := payloadOf(t, 500)
	bad := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[0])), Sig: bogus(keys[0], 1)}}, 0)
	good := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[0])), Sig: ed25519.Sign(keys[0], PAE(PayloadType, payload))}}, 0)
	_, err1 := trust.Verify(bad, opts(t0))
	_, err2 := trust.Verify(bad, opts(t0))
	if !errors.Is(err1, ErrBadSignature) || err1 != err2 {
		t.Fatalf("refusal not cached: %v, then %v", err1, err2)
	}
	// Force good onto bad's cache key: the entry's hash does not match.
	key := trust.cacheKey(bad)
	if _, ok := trust.cached(key, good); ok {
		t.Fatal("a refusal matched other bytes")
	}
	if _, ok := trust.cached(key, bad); !ok {
		t.Fatal("a refusal did not match its own bytes")
	}
}

func TestPAELen(t *testing.T) {
	for _, pt := range []string{"", "x", PayloadType, strings.Repeat("t", 1234)} {
		for _, n := range []int{0, 9, 10, 99, 100, 12345} {
			if got, want := paeLen(pt, n), len(PAE(pt, make([]byte, n))); got != want {
				t.Errorf("paeLen(%d-byte type, %d) = %d, want %d", len(pt), n, got, want)
			}
		}
	}
}

// TestCheckBudgetLargeEnvelope: a caller that raises MaxBytes past the
// check budget still has one signature checked; two are refused.
func TestCheckBudgetLargeEnvelope(t *testing.T) {
	trust, keys := keyring(t, 2)
	payload := payloadOf(t, maxCheckCost+1000) // one check costs more than the budget
	o := opts(t0)
	o.MaxBytes = -1
	good := Signature{KeyID: KeyID(pubOf(keys[0])), Sig: ed25519.Sign(keys[0], PAE(PayloadType, payload))}
	if _, err := trust.Verify(envelopeJSON(t, payload, []Signature{good}, 0), o); err != nil {
		t.Fatalf("one signature of a %d-byte payload: %v", len(payload), err)
	}
	second := Signature{KeyID: KeyID(pubOf(keys[1])), Sig: bogus(keys[1], 0)}
	if _, err := trust.Verify(envelopeJSON(t, payload, []Signature{good, second}, 0), o); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("two signatures of a %d-byte payload: %v, want ErrTooLarge", len(payload), err)
	}
}

// TestVerifyEnvelopeUnsigned: an envelope a caller built with no
// signatures, or none at all, is refused, not a panic.
func TestVerifyEnvelopeUnsigned(t *testing.T) {
	trust, _ := keyring(t, 1)
	if _, err := trust.VerifyEnvelope(&Envelope{PayloadType: PayloadType, Payload: payloadOf(t, 300)}, opts(t0)); !errors.Is(err, ErrUntrustedKey) {
		t.Fatalf("no signatures: %v, want ErrUntrustedKey", err)
	}
	if _, err := trust.VerifyEnvelope(nil, opts(t0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("nil envelope: %v, want ErrMalformed", err)
	}
}

// TestCacheConcurrent: accepted and refused envelopes verified from many
// goroutines, with the cache emptied meanwhile, keep their answers.
func TestCacheConcurrent(t *testing.T) {
	trust, keys := keyring(t, 2)
	payload := payloadOf(t, 500)
	good := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[0])), Sig: ed25519.Sign(keys[0], PAE(PayloadType, payload))}}, 0)
	bad := envelopeJSON(t, payload, []Signature{{KeyID: KeyID(pubOf(keys[1])), Sig: bogus(keys[1], 0)}}, 0)
	done := make(chan struct{})
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 40 {
				if g == 0 && i%10 == 0 {
					trust.ResetCache()
				}
				if _, err := trust.Verify(good, opts(t0)); err != nil {
					errs <- err
					return
				}
				if _, err := trust.Verify(bad, opts(t0)); !errors.Is(err, ErrBadSignature) {
					errs <- fmt.Errorf("bogus signature: %v", err)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRefusalQuotingInputNotCached: a refusal whose error quotes a long
// stretch of the envelope (here a 100 KiB key id) is not cached, so
// refusals cannot fill the cache with the sender's bytes.
func TestRefusalQuotingInputNotCached(t *testing.T) {
	trust, keys := keyring(t, 2)
	payload := payloadOf(t, 300)
	data := envelopeJSON(t, payload, []Signature{{KeyID: strings.Repeat("k", 100<<10), Sig: bogus(keys[0], 0)}}, 0)
	for range 2 {
		if _, err := trust.Verify(data, opts(t0)); !errors.Is(err, ErrUntrustedKey) {
			t.Fatalf("%v, want ErrUntrustedKey", err)
		}
	}
	if n, size := trust.cache.usage(); n != 0 || size != 0 {
		t.Fatalf("cache holds %d entries, %d bytes", n, size)
	}
}
