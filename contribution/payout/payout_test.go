package payout

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

var at = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func key(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl payout test " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func kid(label string) string { return attest.KeyID(key(label).Public().(ed25519.PublicKey)) }

var alpha = contribution.Commons{ID: "alpha", Recognises: []contribution.Recognition{{Commons: "beta", Weight: 500}}}

func plan() *Plan {
	return &Plan{Commons: alpha, Currency: "EUR", Association: "assoc", AssociationBP: 1000, Window: 365 * 24 * time.Hour}
}

func ledger(t testing.TB, items ...contribution.Contribution) *contribution.Ledger {
	t.Helper()
	l := contribution.NewLedger(nil)
	for _, c := range []contribution.Commons{alpha, {ID: "beta"}} {
		if err := l.AddCommons(c); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range items {
		c.Statement = fmt.Sprintf("sha256:%064x", i+1)
		if _, err := l.AddContribution(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func contrib(commons, who string, points int64, daysAgo int) contribution.Contribution {
	return contribution.Contribution{Commons: commons, Contributor: kid(who), Kind: "code", Quantity: contribution.Quantity(points * 1000), Unit: "points", At: at.AddDate(0, 0, -daysAgo)}
}

func pay(amount int64) Payment {
	return Payment{Commons: "alpha", Payer: "acme", Amount: amount, Currency: "EUR", At: at, Reference: "inv-1"}
}

func TestAllocateTable(t *testing.T) {
	l := ledger(t, contrib("alpha", "a", 30, 1), contrib("alpha", "b", 10, 1), contrib("beta", "c", 40, 1))
	tests := []struct {
		name   string
		plan   func(*Plan)
		amount int64
		assoc  int64
		want   map[string]int64 // Paid by contributor label
	}{
		{"10% to the association, recognised at half weight", func(p *Plan) { p.IncludeRecognised = true }, 100_00, 10_00,
			map[string]int64{"a": 45_00, "b": 15_00, "c": 30_00}},
		{"recognised commons not counted", func(p *Plan) {}, 100_00, 10_00, map[string]int64{"a": 67_50, "b": 22_50}},
		{"no association share", func(p *Plan) { p.AssociationBP = 0 }, 100, 0, map[string]int64{"a": 75, "b": 25}},
		{"largest remainder, tie by key id", func(p *Plan) { p.AssociationBP = 0 }, 3, 0, nil},
		{"minimum payout carries small shares", func(p *Plan) { p.MinimumPayout = 30_00 }, 100_00, 10_00, map[string]int64{"a": 67_50, "b": 0}},
	}
	for _, tc := range tests {
		p := plan()
		tc.plan(p)
		a, err := Allocate(context.Background(), p, l, pay(tc.amount), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.CheckSums(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Association != tc.assoc {
			t.Errorf("%s: association %d, want %d", tc.name, a.Association, tc.assoc)
		}
		got := map[string]int64{}
		for _, s := range a.Shares {
			got[s.Recipient] = s.Paid
		}
		for who, want := range tc.want {
			if got[kid(who)] != want {
				t.Errorf("%s: %s paid %d, want %d", tc.name, who, got[kid(who)], want)
			}
		}
		if tc.name == "largest remainder, tie by key id" {
			// 3 units over points 30:10 → exact 2.25 and 0.75: a gets 2, b 1 (remainder .75 > .25).
			if got[kid("a")] != 2 || got[kid("b")] != 1 {
				t.Errorf("remainders: %v", got)
			}
		}
		if tc.name == "minimum payout carries small shares" {
			if out := a.CarriedOut(); out[kid("b")] != 22_50 {
				t.Errorf("carried out %v", out)
			}
			// Next period b's carried amount joins its new share and is paid.
			a2, _ := Allocate(context.Background(), p, l, Payment{Commons: "alpha", Payer: "acme", Amount: 100_00, Currency: "EUR", At: at, Reference: "inv-2"}, "", a.CarriedOut())
			for _, s := range a2.Shares {
				if s.Recipient == kid("b") && (s.CarriedIn != 22_50 || s.Paid != 45_00) {
					t.Errorf("second period: %+v", s)
				}
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	l := ledger(t, contrib("alpha", "a", 30, 1))
	p := plan()
	for name, tc := range map[string]struct {
		plan func(*Plan)
		pay  Payment
		err  error
	}{
		"currency mismatch": {func(*Plan) {}, Payment{Commons: "alpha", Amount: 5, Currency: "USD", At: at, Reference: "r"}, ErrCurrency},
		"zero amount":       {func(*Plan) {}, Payment{Commons: "alpha", Amount: 0, Currency: "EUR", At: at, Reference: "r"}, ErrPayment},
		"negative amount":   {func(*Plan) {}, Payment{Commons: "alpha", Amount: -5, Currency: "EUR", At: at, Reference: "r"}, ErrPayment},
		"no reference":      {func(*Plan) {}, Payment{Commons: "alpha", Amount: 5, Currency: "EUR", At: at}, ErrPayment},
		"other commons":     {func(*Plan) {}, Payment{Commons: "beta", Amount: 5, Currency: "EUR", At: at, Reference: "r"}, ErrPayment},
		"shares over 100%":  {func(p *Plan) { p.AssociationBP = 10001 }, pay(5), ErrPlan},
		"unknown currency":  {func(p *Plan) { p.Currency = "XYZ" }, pay(5), ErrPlan},
	} {
		pp := *p
		tc.plan(&pp)
		if _, err := Allocate(context.Background(), &pp, l, tc.pay, "", nil); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
	// Nobody in the window: the association receives everything.
	empty := ledger(t)
	a, err := Allocate(context.Background(), p, empty, pay(999), "", nil)
	if err != nil || a.Association != 999 || len(a.Shares) != 0 || a.CheckSums() != nil {
		t.Fatalf("empty window: %+v %v", a, err)
	}
}

// TestProperties: random ledgers and payments; shares always sum exactly,
// are never negative, are in key id order, are deterministic, and carry-over conserves value.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var items []contribution.Contribution
		n := r.IntN(40)
		for i := range n {
			commons := "alpha"
			if r.IntN(3) == 0 {
				commons = "beta"
			}
			items = append(items, contrib(commons, fmt.Sprint("c", r.IntN(15)), 1+r.Int64N(500), r.IntN(400)))
			_ = i
		}
		l := ledger(t, items...)
		p := plan()
		p.AssociationBP = r.Int64N(10001)
		p.IncludeRecognised = r.IntN(2) == 0
		p.HalfLife = time.Duration(r.IntN(200)) * 24 * time.Hour
		p.MinimumPayout = r.Int64N(200)
		carried := map[string]int64{}
		var inTotal, outTotal int64
		for k := range 4 {
			amount := 1 + r.Int64N(1_000_000)
			pm := Payment{Commons: "alpha", Payer: "x", Amount: amount, Currency: "EUR", At: at.AddDate(0, 0, k*30), Reference: fmt.Sprint("r", k)}
			a, err := Allocate(context.Background(), p, l, pm, "", carried)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.CheckSums(); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if !slices.IsSortedFunc(a.Shares, func(x, y Share) int { return strings.Compare(x.Recipient, y.Recipient) }) {
				t.Fatalf("round %d: shares not in key id order", round)
			}
			b, _ := Allocate(context.Background(), p, l, pm, "", carried)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("round %d: not deterministic", round)
			}
			inTotal += amount
			outTotal += a.Association
			for _, s := range a.Shares {
				outTotal += s.Paid
			}
			carried = a.CarriedOut()
		}
		for _, v := range carried {
			outTotal += v
		}
		if inTotal != outTotal {
			t.Fatalf("round %d: %d paid in, %d paid out or carried", round, inTotal, outTotal)
		}
	}
}

// TestAggregation: allocating k payments one by one differs from
// allocating their sum by less than k minor units per recipient.
func TestAggregation(t *testing.T) {
	l := ledger(t, contrib("alpha", "a", 33, 1), contrib("alpha", "b", 33, 1), contrib("alpha", "c", 34, 1), contrib("beta", "d", 7, 3))
	p := plan()
	p.AssociationBP = 333
	p.IncludeRecognised = true
	amounts := []int64{101, 997, 13, 50_001, 7}
	sum := map[string]int64{}
	var total int64
	for i, amt := range amounts {
		a, _ := Allocate(context.Background(), p, l, Payment{Commons: "alpha", Payer: "x", Amount: amt, Currency: "EUR", At: at, Reference: fmt.Sprint(i)}, "", nil)
		for _, s := range a.Shares {
			sum[s.Recipient] += s.Paid
		}
		sum["assoc"] += a.Association
		total += amt
	}
	whole, _ := Allocate(context.Background(), p, l, Payment{Commons: "alpha", Payer: "x", Amount: total, Currency: "EUR", At: at, Reference: "sum"}, "", nil)
	got := map[string]int64{"assoc": whole.Association}
	for _, s := range whole.Shares {
		got[s.Recipient] = s.Paid
	}
	var a, b int64
	for k, v := range sum {
		d := v - got[k]
		if d < 0 {
			d = -d
		}
		if d >= int64(len(amounts)) {
			t.Errorf("%s: %d one by one, %d at once", k, v, got[k])
		}
		a += v
		b += got[k]
	}
	if a != b || a != total {
		t.Fatalf("totals %d %d %d", a, b, total)
	}
}

func TestStatementVerifyAndTamper(t *testing.T) {
	l := ledger(t, contrib("alpha", "a", 30, 1), contrib("alpha", "b", 10, 1))
	p := plan()
	p.Signers = []string{kid("treasurer")}
	a, err := Allocate(context.Background(), p, l, pay(100_00), "sha256:"+strings.Repeat("0", 64), nil)
	if err != nil {
		t.Fatal(err)
	}
	env, err := a.Sign(p, key("treasurer"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := env.MarshalJSON()
	trust, _ := attest.NewTrust(attest.Rule{Key: key("treasurer").Public().(ed25519.PublicKey), PredicateTypes: []string{PredicateType}, Subjects: []string{"commons:alpha"}})
	got, err := Verify(trust, data, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Shares) != 2 || got.Association != a.Association || got.Shares[0].Paid != a.Shares[0].Paid {
		t.Fatalf("verified %+v", got)
	}
	if !strings.Contains(got.Explain(kid("a")), "paid now: 6750") {
		t.Fatalf("explain: %s", got.Explain(kid("a")))
	}
	// A statement whose shares do not add up is refused even when signed.
	bad := *a
	bad.Shares = append([]Share(nil), a.Shares...)
	bad.Shares[0].Computed++
	bad.Shares[0].Paid++
	benv, _ := bad.Sign(p, key("treasurer"))
	bdata, _ := benv.MarshalJSON()
	if _, err := Verify(trust, bdata, at); !errors.Is(err, ErrSums) {
		t.Fatalf("bad sums: %v", err)
	}
	// Tampering breaks the signature.
	tampered, _ := attest.ParseEnvelope(data)
	tampered.Payload = []byte(strings.Replace(string(tampered.Payload), `"paid":6750`, `"paid":6751`, 1))
	tdata, _ := tampered.MarshalJSON()
	if _, err := Verify(trust, tdata, at); !errors.Is(err, attest.ErrBadSignature) {
		t.Fatalf("tampered: %v", err)
	}
}

func BenchmarkAllocate100kContributors(b *testing.B) {
	l := contribution.NewLedger(nil)
	coms := []contribution.Commons{alpha, {ID: "beta"}}
	for _, c := range coms {
		l.AddCommons(c)
	}
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("SHA256:contributor-%06d", i)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 1_000_000 {
		c := contribution.Contribution{Commons: coms[i%2].ID, Contributor: ids[r.IntN(len(ids))], Kind: "code",
			Quantity: contribution.Quantity(1000 * (1 + r.Int64N(50))), Unit: "points", At: at.Add(-time.Duration(r.IntN(360*24)) * time.Hour),
			Statement: fmt.Sprintf("sha256:%064x", i)}
		if _, err := l.AddContribution(context.Background(), c); err != nil {
			b.Fatal(err)
		}
	}
	p := plan()
	p.IncludeRecognised = true
	p.HalfLife = 180 * 24 * time.Hour
	p.MinimumPayout = 100
	b.ResetTimer()
	for b.Loop() {
		a, err := Allocate(context.Background(), p, l, pay(1_000_000_00), "", nil)
		if err != nil || len(a.Shares) < 90_000 {
			b.Fatal(err, len(a.Shares))
		}
	}
}

// FuzzVerify: payout statements from untrusted bytes never panic, and any
// that verifies adds up.
func FuzzVerify(f *testing.F) {
	l := ledger(f, contrib("alpha", "a", 30, 1), contrib("alpha", "b", 10, 1))
	p := plan()
	a, _ := Allocate(context.Background(), p, l, pay(100_00), "", nil)
	env, _ := a.Sign(p, key("treasurer"))
	data, _ := env.MarshalJSON()
	f.Add(data)
	st, _ := a.Statement(p)
	f.Add([]byte(st.Predicate))
	trust, _ := attest.NewTrust(attest.Rule{Key: key("treasurer").Public().(ed25519.PublicKey), PredicateTypes: []string{PredicateType}, Subjects: []string{"commons:*"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Sign whatever predicate the fuzzer makes, so decoding is reached.
		if st, err := attest.NewStatement(PredicateType, json.RawMessage(data), attest.SubjectFor("commons:alpha")); err == nil {
			if env, err := attest.SignStatement(st, key("treasurer")); err == nil {
				raw, _ := env.MarshalJSON()
				if a, err := Verify(trust, raw, at); err == nil && a.CheckSums() != nil {
					t.Fatal("verified payout does not add up")
				}
			}
		}
		if a, err := Verify(trust, data, at); err == nil && a.CheckSums() != nil {
			t.Fatal("verified payout does not add up")
		}
	})
}
