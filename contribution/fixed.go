package contribution

import (
	"math/big"
	"math/bits"
)

// u128 is an unsigned 128-bit integer: the fixed-point sums below need
// more than 64 bits and no floating point may enter a decision.
type u128 struct{ hi, lo uint64 }

func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// sub is a-b for a ≥ b (prefix sums only ever grow).
func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// mul64 is a×m; ok is false when the product does not fit 128 bits.
func (a u128) mul64(m uint64) (u128, bool) {
	h1, l1 := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	hi, c := bits.Add64(h1, l2, 0)
	return u128{hi, l1}, h2 == 0 && c == 0
}

// div64 is a/d rounded down.
func (a u128) div64(d uint64) u128 {
	qh := a.hi / d
	ql, _ := bits.Div64(a.hi%d, a.lo, d)
	return u128{qh, ql}
}

// shr is a>>s for s < 128.
func (a u128) shr(s uint) u128 {
	switch {
	case s == 0:
		return a
	case s >= 64:
		return u128{0, a.hi >> (s - 64)}
	}
	return u128{a.hi >> s, a.lo>>s | a.hi<<(64-s)}
}

// mulShr is a×m>>s rounded down, through a 192-bit product (s < 192).
func (a u128) mulShr(m uint64, s uint) u128 {
	h1, l1 := bits.Mul64(a.lo, m)
	h2, l2 := bits.Mul64(a.hi, m)
	mid, c := bits.Add64(h1, l2, 0)
	top := h2 + c
	// (top, mid, l1) >> s
	switch {
	case s >= 128:
		return u128{0, top >> (s - 128)}
	case s >= 64:
		s -= 64
		if s == 0 {
			return u128{top, mid}
		}
		return u128{top >> s, mid>>s | top<<(64-s)}
	case s == 0:
		return u128{mid, l1} // top is zero whenever callers shift by 0
	}
	return u128{mid>>s | top<<(64-s), l1>>s | mid<<(64-s)}
}

// The prefix sums need 2^-x to fracBits fractional bits of x (the decay of
// the direct sum uses 16): a rebased sum is decayed by one factor for many
// contributions, so its rounding must be finer than one contribution's.
// 2^-f for a 40-bit fraction f is the product of five table entries in
// Q62, built with math/big as decay.go builds its own.
const fracBits = 40

var fineHi, fineMid, fineLo, fineLo2, fineLo3 = buildFineTables()

func buildFineTables() (hi [1024]uint64, mid [64]uint64, lo, lo2, lo3 [256]uint64) {
	const prec = 256
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	var roots [fracBits]*big.Float // roots[j] = 2^(-1/2^(j+1))
	r := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(2))
	for j := range roots {
		r = new(big.Float).SetPrec(prec).Sqrt(r)
		roots[j] = r
	}
	scale := new(big.Float).SetPrec(prec).SetMantExp(one, decayShift)
	// pow is 2^(-num/2^(skip+width)) for num < 2^width, in Q62.
	pow := func(num uint, skip, width int) uint64 {
		p := new(big.Float).SetPrec(prec).SetInt64(1)
		for k := 0; k < width; k++ {
			if num&(1<<uint(width-1-k)) != 0 {
				p.Mul(p, roots[skip+k])
			}
		}
		p.Mul(p, scale)
		u, _ := p.Uint64()
		return u
	}
	for a := range hi {
		hi[a] = pow(uint(a), 0, 10)
	}
	for b := range mid {
		mid[b] = pow(uint(b), 10, 6)
	}
	for c := range lo {
		lo[c] = pow(uint(c), 16, 8)
	}
	for d := range lo2 {
		lo2[d] = pow(uint(d), 24, 8)
	}
	for e := range lo3 {
		lo3[e] = pow(uint(e), 32, 8)
	}
	return
}

// q62mul is a×b/2^62 rounded down, for Q62 factors at most 1.
func q62mul(a, b uint64) uint64 {
	h, l := bits.Mul64(a, b)
	return h<<(64-decayShift) | l>>decayShift
}

// expNeg returns n and m with m/2^62 / 2^n at or below 2^(-num/den), den >
// 0: the fraction of num/den is taken to fracBits bits rounded up (the key
// of num/den, see fracKey) and the table entries are rounded down, so a
// sum decayed by it does not exceed its exact value.
func expNeg(num, den uint64) (n uint64, m uint64) {
	k := fracKey(num, den)
	return k >> fracBits, fracFactor(k & fracMask)
}

const fracMask = 1<<fracBits - 1

// fracKey is n<<fracBits | f for num/den = n + x, x in [0, 1), with f =
// ⌈x·2^fracBits⌉ (carried into n when it reaches 2^fracBits), n capped at
// 2^20 (a factor of 2^-(2^20) is zero for every use). It never decreases as
// num grows.
func fracKey(num, den uint64) uint64 {
	n, rem := num/den, num%den
	if n >= 1<<20 {
		return 1 << (20 + fracBits)
	}
	f, r := bits.Div64(rem>>(64-fracBits), rem<<fracBits, den) // rem < den, so no overflow
	if r != 0 {
		f++
	}
	return n<<fracBits + f
}

// fracFactor is 2^(-f/2^fracBits) in Q62 rounded down, for f < 2^fracBits;
// it never grows with f.
func fracFactor(f uint64) uint64 {
	a := q62mul(fineHi[f>>30], fineMid[(f>>24)&63])
	b := q62mul(fineLo[(f>>16)&255], fineLo2[(f>>8)&255])
	return q62mul(q62mul(a, b), fineLo3[f&255])
}
