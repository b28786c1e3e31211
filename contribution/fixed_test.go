package contribution

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func (a u128) big() *big.Int {
	return new(big.Int).Or(new(big.Int).Lsh(new(big.Int).SetUint64(a.hi), 64), new(big.Int).SetUint64(a.lo))
}

// TestU128AgainstBig holds the 128-bit helpers to math/big.
func TestU128AgainstBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 3))
	mask128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	for range 20000 {
		a := u128{rng.Uint64() >> rng.UintN(64), rng.Uint64()}
		b := u128{rng.Uint64() >> rng.UintN(64), rng.Uint64()}
		m := rng.Uint64() >> rng.UintN(64)
		if m == 0 {
			m = 1
		}
		s := rng.UintN(192)
		sum, carry := a.add(b)
		want := new(big.Int).Add(a.big(), b.big())
		if (want.Cmp(mask128) > 0) != carry || sum.big().Cmp(new(big.Int).And(want, mask128)) != 0 {
			t.Fatalf("%v + %v = %v, %v", a, b, sum, carry)
		}
		if sum.sub(b).big().Cmp(a.big()) != 0 && !carry {
			t.Fatalf("(%v + %v) - %v", a, b, b)
		}
		p, ok := a.mul64(m)
		want = new(big.Int).Mul(a.big(), new(big.Int).SetUint64(m))
		if (want.Cmp(mask128) <= 0) != ok || (ok && p.big().Cmp(want) != 0) {
			t.Fatalf("%v × %d = %v, %v", a, m, p, ok)
		}
		if a.div64(m).big().Cmp(new(big.Int).Quo(a.big(), new(big.Int).SetUint64(m))) != 0 {
			t.Fatalf("%v / %d", a, m)
		}
		want = new(big.Int).Rsh(new(big.Int).Mul(a.big(), new(big.Int).SetUint64(m)), s)
		if want.Cmp(mask128) <= 0 && s > 0 && a.mulShr(m, s).big().Cmp(want) != 0 {
			t.Fatalf("%v × %d >> %d = %v, want %v", a, m, s, a.mulShr(m, s), want)
		}
		if sh := s % 128; a.shr(sh).big().Cmp(new(big.Int).Rsh(a.big(), sh)) != 0 {
			t.Fatalf("%v >> %d", a, sh)
		}
	}
}

// TestExpNegBounds: the prefix sums' decay factor is at or below the exact
// 2^-x and within 2^-38 of it, and never grows with x.
func TestExpNegBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 4))
	prevKey := uint64(0)
	den := uint64(1 + rng.Int64N(1<<50))
	num := uint64(0)
	for i := range 100000 {
		if i%1000 == 0 {
			den, num, prevKey = uint64(1+rng.Int64N(1<<50)), 0, 0
		}
		num += uint64(rng.Int64N(int64(den/50 + 1)))
		n, m := expNeg(num, den)
		k := fracKey(num, den)
		if k < prevKey {
			t.Fatalf("key of %d/%d went down", num, den)
		}
		prevKey = k
		if n > 60 {
			continue
		}
		x := new(big.Float).SetPrec(200).Quo(new(big.Float).SetUint64(num), new(big.Float).SetUint64(den))
		xf, _ := x.Float64()
		exact := math.Exp2(-xf)
		got := float64(m) / (1 << 62) / math.Exp2(float64(n))
		if got > exact*(1+1e-15) || got < exact*(1-math.Exp2(-38)) {
			t.Fatalf("2^-(%d/%d): %g, exact %g", num, den, got, exact)
		}
	}
	if _, m := expNeg(0, 7); m != 1<<62 {
		t.Fatalf("2^0 = %d/2^62", m)
	}
}
