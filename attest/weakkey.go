package attest

import "math/big"

// Curve25519 field and Edwards constants (RFC 8032 section 5.1).
var (
	fieldP    = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	edwardsD  = mustBig("37095705934669439343138083508754565189542113879843219016388785533085940283555")
	sqrtMinus = mustBig("19681161376707505956807079304988542015446066515923890162744021073123829784752")
)

func mustBig(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("attest: bad constant " + s)
	}
	return n
}

// isWeakPoint reports whether the 32-byte encoding is not a canonical
// encoding of a curve point, or encodes a point of small order (one whose
// eighth multiple is the identity). Such keys let one signature verify for
// many messages or keys; RFC 8032 verifiers such as crypto/ed25519 accept
// some of them, so keys are screened when they enter a Trust. Runs once
// per admitted key, so plain big-integer arithmetic is fast enough.
func isWeakPoint(enc []byte) bool {
	le := make([]byte, 32)
	for i := range 32 {
		le[31-i] = enc[i]
	}
	sign := le[0]>>7 == 1
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le)
	if y.Cmp(fieldP) >= 0 {
		return true // non-canonical y
	}
	p := fieldP
	y2 := new(big.Int).Mul(y, y)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, p)
	v := new(big.Int).Mul(edwardsD, y2)
	v.Add(v, big.NewInt(1))
	v.Mod(v, p)
	vInv := new(big.Int).ModInverse(v, p)
	x2 := new(big.Int).Mul(u, vInv)
	x2.Mod(x2, p)
	exp := new(big.Int).Add(p, big.NewInt(3))
	exp.Rsh(exp, 3)
	x := new(big.Int).Exp(x2, exp, p)
	if check := new(big.Int).Exp(x, big.NewInt(2), p); check.Cmp(x2) != 0 {
		x.Mul(x, sqrtMinus)
		x.Mod(x, p)
		if check.Exp(x, big.NewInt(2), p); check.Cmp(x2) != 0 {
			return true // not on the curve
		}
	}
	if x.Sign() == 0 && sign {
		return true // non-canonical: x = 0 with the sign bit set
	}
	if (x.Bit(0) == 1) != sign {
		x.Sub(p, x)
	}
	px, py := x, y
	for range 3 { // [8]P by three doublings
		px, py = edwardsAdd(px, py, px, py)
	}
	return px.Sign() == 0 && py.Cmp(big.NewInt(1)) == 0
}

// edwardsAdd adds two points of -x^2 + y^2 = 1 + d x^2 y^2.
func edwardsAdd(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	p := fieldP
	x1y2 := new(big.Int).Mul(x1, y2)
	y1x2 := new(big.Int).Mul(y1, x2)
	y1y2 := new(big.Int).Mul(y1, y2)
	x1x2 := new(big.Int).Mul(x1, x2)
	dxy := new(big.Int).Mul(edwardsD, x1x2)
	dxy.Mul(dxy, y1y2)
	dxy.Mod(dxy, p)
	one := big.NewInt(1)
	xn := new(big.Int).Add(x1y2, y1x2)
	xd := new(big.Int).Add(one, dxy)
	yn := new(big.Int).Add(y1y2, x1x2)
	yd := new(big.Int).Sub(one, dxy)
	yd.Mod(yd, p)
	x3 := xn.Mul(xn, new(big.Int).ModInverse(xd.Mod(xd, p), p))
	y3 := yn.Mul(yn, new(big.Int).ModInverse(yd, p))
	return x3.Mod(x3, p), y3.Mod(y3, p)
}
