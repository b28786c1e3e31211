package attest

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// benchEnvelope is a typical ~1 KiB envelope with one signature.
func benchEnvelope(b *testing.B) (*Trust, []byte, ed25519.PrivateKey, []byte) {
	k := testKey("bench")
	trust, err := NewTrust(
		Rule{Key: pubOf(testKey("other1")), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(testKey("other2")), PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:*"}},
	)
	if err != nil {
		b.Fatal(err)
	}
	st := testStatement(b, "commons:alpha", map[string]any{"evidence": strings.Repeat("9fceb02d0ae598e95dc970b74767f19372d61af8 ", 11)})
	data := signedJSON(b, st, k)
	if len(data) < 900 || len(data) > 1200 {
		b.Fatalf("envelope is %d bytes, want about 1 KiB", len(data))
	}
	payload, _ := st.Payload()
	return trust, data, k, PAE(PayloadType, payload)
}

func BenchmarkEd25519Verify(b *testing.B) {
	_, data, k, pae := benchEnvelope(b)
	env, _ := ParseEnvelope(data)
	sig, pub := env.Signatures[0].Sig, pubOf(k)
	for b.Loop() {
		if !ed25519.Verify(pub, pae, sig) {
			b.Fatal("verify")
		}
	}
}

// BenchmarkVerifyEnvelope is what the issue names: parse + PAE + trust
// lookup + verify of a fresh envelope, through ParseEnvelope and
// Trust.VerifyEnvelope (the path without the cache).
func BenchmarkVerifyEnvelope(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	for b.Loop() {
		env, err := ParseEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := trust.VerifyEnvelope(env, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFresh is Trust.Verify on an envelope it has not seen:
// the same work plus hashing the envelope for the cache and keeping it.
func BenchmarkVerifyFresh(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	for b.Loop() {
		// A fresh trust generation each time defeats the cache, as for an
		// envelope never seen before; bumping it is a counter increment.
		trust.mu.Lock()
		trust.gen++
		trust.mu.Unlock()
		if _, err := trust.Verify(data, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCached is Trust.Verify of an envelope it has seen
// (target: 1 µs). cpu-ns/op is the process's CPU time per call, garbage
// collection included, which a loaded machine does not inflate.
func BenchmarkVerifyCached(b *testing.B) {
	trust, data, _, _ := benchEnvelope(b)
	o := opts(t0)
	if _, err := trust.Verify(data, o); err != nil {
		b.Fatal(err)
	}
	start := processCPU()
	for b.Loop() {
		if _, err := trust.Verify(data, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkEd25519Sign(b *testing.B) {
	_, _, k, pae := benchEnvelope(b)
	for b.Loop() {
		ed25519.Sign(k, pae)
	}
}

func BenchmarkSignEnvelope(b *testing.B) {
	_, data, k, _ := benchEnvelope(b)
	env, _ := ParseEnvelope(data)
	for b.Loop() {
		e := &Envelope{PayloadType: env.PayloadType, Payload: env.Payload}
		if err := e.AddSignature(k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRatio measures BenchmarkEd25519Verify's and
// BenchmarkVerifyEnvelope's work in one loop, alternating which goes
// first, each timed by the thread's CPU clock, and reports the ratio: on
// a shared machine two benchmarks run apart see different loads, and wall
// time counts waiting for a core.
func BenchmarkVerifyRatio(b *testing.B) {
	trust, data, k, pae := benchEnvelope(b)
	env0, _ := ParseEnvelope(data)
	sig, pub := env0.Signatures[0].Sig, pubOf(k)
	o := opts(t0)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var raw, full time.Duration
	rawOne := func() {
		start := threadCPU()
		if !ed25519.Verify(pub, pae, sig) {
			b.Fatal("verify")
		}
		raw += threadCPU() - start
	}
	fullOne := func() {
		start := threadCPU()
		env, err := ParseEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := trust.VerifyEnvelope(env, o); err != nil {
			b.Fatal(err)
		}
		full += threadCPU() - start
	}
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			rawOne()
			fullOne()
		} else {
			fullOne()
			rawOne()
		}
		n++
	}
	b.ReportMetric(float64(raw.Nanoseconds())/float64(n), "raw-cpu-ns/op")
	b.ReportMetric(float64(full.Nanoseconds())/float64(n), "envelope-cpu-ns/op")
	b.ReportMetric(float64(full)/float64(raw), "envelope/raw")
}

// hostile returns the envelopes an anonymous client could send to cost a
// verifier the most, each at most DefaultMaxEnvelopeBytes, against a
// Trust of 50 keys (the measurement), none with a valid
// signature.
func hostile(b *testing.B) (*Trust, []struct {
	name string
	data []byte
}) {
	trust, keys := keyring(b, 50)
	hinted := func(n int) []Signature {
		var sigs []Signature
		for i := range n {
			k := keys[i%len(keys)]
			sigs = append(sigs, Signature{KeyID: KeyID(pubOf(k)), Sig: bogus(k, i)})
		}
		return sigs
	}
	// A payload whose checks, n of them, fill the budget.
	filling := func(n int) []byte { return payloadOf(b, maxCheckCost/n-checkOverhead-100) }
	var out []struct {
		name string
		data []byte
	}
	add := func(name string, data []byte) {
		if len(data) > DefaultMaxEnvelopeBytes {
			b.Fatalf("%s: %d bytes", name, len(data))
		}
		out = append(out, struct {
			name string
			data []byte
		}{name, data})
	}
	// The issue's: 1 MiB of signatures without key ids.
	small := payloadOf(b, 1000)
	one := len(envelopeJSON(b, small, []Signature{{Sig: bogus(keys[0], 0)}}, 0))
	two := len(envelopeJSON(b, small, []Signature{{Sig: bogus(keys[0], 0)}, {Sig: bogus(keys[0], 1)}}, 0))
	var unhinted []Signature
	for i := range (DefaultMaxEnvelopeBytes - one) / (two - one) {
		unhinted = append(unhinted, Signature{Sig: bogus(keys[0], i)})
	}
	add("unhinted-flood", envelopeJSON(b, small, unhinted, 0))
	// As many signatures as allowed, each naming a trusted key, over a
	// message as long as the budget allows for that many checks.
	add("hinted-max", envelopeJSON(b, filling(MaxSignatures), hinted(MaxSignatures), 0))
	// One signature without a key id, tried against all 50 keys.
	add("unhinted-one", envelopeJSON(b, filling(len(keys)), []Signature{{Sig: bogus(keys[0], 0)}}, 0))
	// The largest payload an envelope holds, with the checks it affords.
	large := payloadOf(b, (DefaultMaxEnvelopeBytes-2000)*3/4)
	add("large-payload", envelopeJSON(b, large, hinted(maxCheckCost/(paeLen(PayloadType, len(large))+checkOverhead)), 0))
	// A small statement padded to 1 MiB with a member readers ignore.
	sigs := hinted(MaxSignatures)
	add("padded", envelopeJSON(b, small, sigs, DefaultMaxEnvelopeBytes-len(envelopeJSON(b, small, sigs, 0))-100))
	// Asking for more than the budget: refused before any check.
	add("over-budget", envelopeJSON(b, payloadOf(b, 600<<10), hinted(MaxSignatures), 0))
	return trust, out
}

// BenchmarkRefuseHostile: each hostile envelope is refused in bounded
// time (the target is 10 ms of CPU against 50 keys), cache defeated.
// cpu-ns/op is the process's CPU time, garbage collection included.
func BenchmarkRefuseHostile(b *testing.B) {
	trust, cases := hostile(b)
	o := opts(t0)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			start := processCPU()
			for b.Loop() {
				trust.mu.Lock()
				trust.gen++ // as for an envelope never seen
				trust.mu.Unlock()
				if _, err := trust.Verify(c.data, o); err == nil {
					b.Fatal("hostile envelope verified")
				}
			}
			b.ReportMetric(float64((processCPU()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkRefusedHeap reports how much 10,000 distinct refused envelopes
// of about 1 MiB (the unhinted flood) grow the heap; the target is
// at most 32 MiB.
func BenchmarkRefusedHeap(b *testing.B) {
	_, cases := hostile(b)
	data := cases[0].data
	o := opts(t0)
	var grew float64
	for b.Loop() {
		trust, _ := keyring(b, 50)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		env := bytes.Clone(data)
		for i := range 10000 {
			// Distinct: a counter in the first signature, clear of the
			// last character before its padding.
			at := bytes.Index(env, []byte(`"sig":"`)) + 7
			copy(env[at:], fmt.Sprintf("%08d", i))
			if _, err := trust.Verify(env, o); err == nil {
				b.Fatal("hostile envelope verified")
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(trust)
		grew = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	}
	b.ReportMetric(grew, "MiB-heap/10k-refused")
}
