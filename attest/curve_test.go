package attest

import (
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"testing"

	"filippo.io/edwards25519"
)

func randomScalar(rng *rand.Rand) *edwards25519.Scalar {
	var b [64]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	s, _ := new(edwards25519.Scalar).SetUniformBytes(b[:])
	return s
}

// TestNAF: digits are zero or odd and below 2^7 in size, nonzero digits
// are at least 8 apart, and they add up to the scalar.
func TestNAF(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		s := randomScalar(rng)
		if n == 0 {
			s = edwards25519.NewScalar()
		}
		enc := s.Bytes()
		var digits [256]int8
		naf(&digits, enc, 8)
		sum, last := new(big.Int), -100
		for i := 255; i >= 0; i-- {
			sum.Lsh(sum, 1)
			d := digits[i]
			if d == 0 {
				continue
			}
			if d%2 == 0 || d == -128 {
				t.Fatalf("digit %d at %d", d, i)
			}
			if last-i < 8 && last >= 0 {
				t.Fatalf("digits at %d and %d are adjacent", last, i)
			}
			last = i
			sum.Add(sum, big.NewInt(int64(d)))
		}
		le := make([]byte, 32)
		for i := range le {
			le[i] = enc[31-i]
		}
		if want := new(big.Int).SetBytes(le); sum.Cmp(want) != 0 {
			t.Fatalf("digits of %s add up to %s", want, sum)
		}
	}
}

// TestDoubleBaseMult compares the table-driven multiplication with
// filippo.io/edwards25519's on random scalars and on points of every kind
// a key can be: ordinary, small order, mixed order, the identity.
func TestDoubleBaseMult(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var points []*edwards25519.Point
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000", // identity
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
		"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43", // mixed order (speccheck)
	} {
		b, _ := hex.DecodeString(h)
		p, err := new(edwards25519.Point).SetBytes(b)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		points = append(points, p)
	}
	for range 20 {
		points = append(points, new(edwards25519.Point).ScalarBaseMult(randomScalar(rng)))
	}
	for _, p := range points {
		table := oddMultiples(p)
		for range 20 {
			k, s := randomScalar(rng), randomScalar(rng)
			var r projective
			doubleBaseMult(&r, k, s, table)
			var got [32]byte
			r.encode(&got)
			want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(k, p, s).Bytes()
			if string(got[:]) != string(want) {
				t.Fatalf("point %x: got %x, want %x", p.Bytes(), got, want)
			}
		}
	}
}
