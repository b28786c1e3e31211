package attest

import (
	"math/bits"
	"sync"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// The double-base multiplication [k](-A) + [S]B with tables fixed in
// advance: the odd multiples 1P, 3P, …, 127P of -A (per trusted key, made
// once, on the key's first verification in a Trust) and of B (made once
// per process), in affine form, so each width-8 NAF digit costs one mixed
// addition.
// filippo.io/edwards25519's VarTimeDoubleScalarBaseMult builds a width-5
// table for A on every call, since it cannot know A will come again; here
// A always comes again. Formulas are the twisted Edwards (a = -1) ones of
// Hisil–Wong–Carter–Dawson 2008 in the coordinate systems of ref10:
// projective (X:Y:Z), extended (X:Y:Z:T) with T = XY/Z, "completed"
// ((X:Z),(Y:T)), and affine (y+x, y-x, 2dxy).

// niels is an affine point as (y+x, y-x, 2dxy).
type niels struct{ ypx, ymx, xy2d field.Element }

// extended is (X:Y:Z:T): x = X/Z, y = Y/Z, xy = T/Z.
type extended struct{ X, Y, Z, T field.Element }

// completed is ((X:Z),(Y:T)): x = X/Z, y = Y/T.
type completed struct{ X, Y, Z, T field.Element }

// projective is (X:Y:Z): x = X/Z, y = Y/Z.
type projective struct{ X, Y, Z field.Element }

// double sets p = 2q.
func (p *completed) double(q *projective) {
	var xx, yy, zz2, s field.Element
	xx.Square(&q.X)
	yy.Square(&q.Y)
	zz2.Square(&q.Z)
	zz2.Add(&zz2, &zz2)
	s.Add(&q.X, &q.Y)
	s.Square(&s)
	p.Y.Add(&yy, &xx)
	p.Z.Subtract(&yy, &xx)
	p.X.Subtract(&s, &p.Y)
	p.T.Subtract(&zz2, &p.Z)
}

// add sets p = e + q, or e - q when sub.
func (p *completed) add(e *extended, q *niels, sub bool) {
	var ypx, ymx, a, b, c, z2 field.Element
	ypx.Add(&e.Y, &e.X)
	ymx.Subtract(&e.Y, &e.X)
	if sub {
		a.Multiply(&ypx, &q.ymx)
		b.Multiply(&ymx, &q.ypx)
	} else {
		a.Multiply(&ypx, &q.ypx)
		b.Multiply(&ymx, &q.ymx)
	}
	c.Multiply(&q.xy2d, &e.T)
	z2.Add(&e.Z, &e.Z)
	p.X.Subtract(&a, &b)
	p.Y.Add(&a, &b)
	if sub {
		p.Z.Subtract(&z2, &c)
		p.T.Add(&z2, &c)
	} else {
		p.Z.Add(&z2, &c)
		p.T.Subtract(&z2, &c)
	}
}

func (p *completed) extended(e *extended) {
	e.X.Multiply(&p.X, &p.T)
	e.Y.Multiply(&p.Y, &p.Z)
	e.Z.Multiply(&p.Z, &p.T)
	e.T.Multiply(&p.X, &p.Y)
}

func (p *completed) projective(r *projective) {
	r.X.Multiply(&p.X, &p.T)
	r.Y.Multiply(&p.Y, &p.Z)
	r.Z.Multiply(&p.Z, &p.T)
}

// encode writes the RFC 8032 encoding of r: y, with the sign of x in the
// top bit.
func (r *projective) encode(out *[32]byte) {
	var zinv field.Element
	zinv.Invert(&r.Z)
	r.encodeWith(out, &zinv)
}

// encodeWith is encode given zinv = 1/Z.
func (r *projective) encodeWith(out *[32]byte, zinv *field.Element) {
	var x, y field.Element
	x.Multiply(&r.X, zinv)
	y.Multiply(&r.Y, zinv)
	copy(out[:], y.Bytes())
	out[31] |= byte(x.IsNegative() << 7)
}

// tableSize is how many odd multiples a table holds: width-8 NAF digits
// are odd and below 2^7 in absolute value.
const tableSize = 64

// d2 is 2d, d = -121665/121666 the curve constant.
var d2 = sync.OnceValue(func() *field.Element {
	var num, den field.Element
	if _, err := num.SetBytes([]byte{0x41, 0xdb, 0x01, 31: 0}); err != nil { // 121665
		panic(err)
	}
	if _, err := den.SetBytes([]byte{0x42, 0xdb, 0x01, 31: 0}); err != nil { // 121666
		panic(err)
	}
	den.Invert(&den)
	num.Multiply(&num, &den)
	num.Negate(&num)
	return num.Add(&num, &num)
})

// oddMultiples returns 1P, 3P, …, (2·tableSize-1)P in affine form, with
// one field inversion for all of them.
func oddMultiples(p *edwards25519.Point) []niels {
	var pts [tableSize]edwards25519.Point
	two := new(edwards25519.Point).Add(p, p)
	pts[0].Set(p)
	for i := 1; i < tableSize; i++ {
		pts[i].Add(&pts[i-1], two)
	}
	var xs, ys, zs [tableSize]*field.Element
	for i := range pts {
		xs[i], ys[i], zs[i], _ = pts[i].ExtendedCoordinates()
	}
	invertAll(zs[:])
	out := make([]niels, tableSize)
	for i := range out {
		var x, y field.Element
		x.Multiply(xs[i], zs[i])
		y.Multiply(ys[i], zs[i])
		out[i].ypx.Add(&y, &x)
		out[i].ymx.Subtract(&y, &x)
		out[i].xy2d.Multiply(&x, &y)
		out[i].xy2d.Multiply(&out[i].xy2d, d2())
	}
	return out
}

// invertAll sets each z to 1/z with one field inversion for all
// (Montgomery's trick: invert the product, then peel it back). No z may be
// zero; the Z coordinate of a curve point never is.
func invertAll(zs []*field.Element) {
	var small [8]field.Element
	prefix := small[:0]
	if len(zs) > len(small) {
		prefix = make([]field.Element, 0, len(zs))
	}
	prefix = prefix[:len(zs)]
	var acc field.Element
	acc.One()
	for i, z := range zs {
		acc.Multiply(&acc, z)
		prefix[i].Set(&acc)
	}
	var inv field.Element
	inv.Invert(&acc) // 1/(z_0 … z_last)
	for i := len(zs) - 1; i >= 0; i-- {
		var zinv field.Element // 1/z_i = 1/(z_0 … z_i) · (z_0 … z_{i-1})
		if i == 0 {
			zinv.Set(&inv)
		} else {
			zinv.Multiply(&inv, &prefix[i-1])
		}
		inv.Multiply(&inv, zs[i])
		zs[i].Set(&zinv)
	}
}

// baseTable is the odd multiples of the base point B. It is computed on
// first use and never changes.
var baseTable = sync.OnceValue(func() []niels { return oddMultiples(edwards25519.NewGeneratorPoint()) })

// naf writes the width-w non-adjacent form of the scalar whose 32-byte
// little-endian encoding is s (s < 2^255): digits odd, |digit| < 2^(w-1),
// at least w-1 zeros after each nonzero digit, and Σ digit_i·2^i = s.
func naf(out *[256]int8, s []byte, w uint) {
	var limbs [5]uint64 // one spare limb for windows that run past bit 255
	for i := range 4 {
		for j := 7; j >= 0; j-- {
			limbs[i] = limbs[i]<<8 | uint64(s[8*i+j])
		}
	}
	width := uint64(1) << w
	carry := uint64(0)
	for pos := uint(0); pos < 256; {
		idx, bit := pos/64, pos%64
		window := limbs[idx] >> bit
		if bit+w > 64 {
			window |= limbs[idx+1] << (64 - bit)
		}
		window = carry + window&(width-1)
		if window&1 == 0 {
			// No carry and a zero bit: skip to the next one bit (or the
			// limb's end), as stepping one position at a time would.
			if window == 0 {
				pos += min(uint(bits.TrailingZeros64(limbs[idx]>>bit)), 64-bit)
				continue
			}
			pos++
			continue
		}
		if window < width/2 {
			carry = 0
			out[pos] = int8(window)
		} else {
			carry = 1
			out[pos] = int8(int64(window) - int64(width))
		}
		pos += w
	}
}

// doubleBaseMult sets r = [k]P + [s]B, where table holds the odd
// multiples of P.
func doubleBaseMult(r *projective, k, s *edwards25519.Scalar, table []niels) {
	var kn, sn [256]int8
	naf(&kn, k.Bytes(), 8)
	naf(&sn, s.Bytes(), 8)
	bt := baseTable()
	i := 255
	for i >= 0 && kn[i] == 0 && sn[i] == 0 {
		i--
	}
	r.X.Zero()
	r.Y.One()
	r.Z.One()
	var t completed
	var e extended
	for ; i >= 0; i-- {
		t.double(r)
		if d := kn[i]; d != 0 {
			t.extended(&e)
			t.add(&e, &table[abs8(d)/2], d < 0)
		}
		if d := sn[i]; d != 0 {
			t.extended(&e)
			t.add(&e, &bt[abs8(d)/2], d < 0)
		}
		t.projective(r)
	}
}

func abs8(d int8) int8 {
	if d < 0 {
		return -d
	}
	return d
}
