package contribution

import (
	"math/big"
	"math/bits"
	"time"
)

// Decay is computed in integer arithmetic so every platform gets the same
// bits (math.Exp2 may be fused differently by compilers). The exponent
// x = age/halfLife is split into an integer part n (a right shift) and a
// 16-bit binary fraction f = a/1024 + b/65536; 2^-f is the product of two
// table entries in Q62. The tables are built once with math/big, whose
// arithmetic is exact integer work and so platform-independent.
const decayShift = 62

var decayHi, decayLo = buildDecayTables()

func buildDecayTables() (hi [1024]uint64, lo [64]uint64) {
	const prec = 192
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	// roots[j] = 2^(-1/2^(j+1)) for j = 0..15, by repeated square roots of 1/2.
	var roots [16]*big.Float
	r := new(big.Float).SetPrec(prec).Quo(one, new(big.Float).SetPrec(prec).SetInt64(2))
	for j := range roots {
		r = new(big.Float).SetPrec(prec).Sqrt(r)
		roots[j] = r
	}
	scale := new(big.Float).SetPrec(prec).SetMantExp(one, decayShift)
	pow := func(num uint, bitsN int) uint64 {
		// 2^(-num/2^bitsN) as the product of roots for the set bits of num.
		p := new(big.Float).SetPrec(prec).SetInt64(1)
		for k := 0; k < bitsN; k++ {
			if num&(1<<uint(bitsN-1-k)) != 0 {
				p.Mul(p, roots[k])
			}
		}
		p.Mul(p, scale)
		u, _ := p.Uint64()
		return u
	}
	for a := range hi {
		hi[a] = pow(uint(a), 10)
	}
	for b := range lo {
		// 2^(-b/65536): bits 11..16 of the fraction.
		lo[b] = pow(uint(b), 16)
	}
	return hi, lo
}

// decayed returns v × 2^(-age/halfLife), rounded down. halfLife 0 means no
// decay; a negative age does not occur (future contributions never count).
func decayed(v uint64, age, halfLife time.Duration) uint64 {
	if halfLife <= 0 || age <= 0 {
		return v
	}
	n := uint64(age / halfLife)
	if n >= 63 {
		return 0
	}
	rem := uint64(age % halfLife)
	hi, lo := bits.Mul64(rem, 1<<16)
	f, _ := bits.Div64(hi, lo, uint64(halfLife)) // rem < halfLife, so no overflow
	m1h, m1l := bits.Mul64(decayHi[f>>6], decayLo[f&63])
	factor := m1h<<(64-decayShift) | m1l>>decayShift
	ph, pl := bits.Mul64(v>>n, factor)
	return ph<<(64-decayShift) | pl>>decayShift
}
