package contribution

import "strconv"

// Points are fixed-point thousandths: 1 point is Points(1000). Every weight
// in this package (kind weights, recognition weights) is an int64 in
// thousandths too, so 1000 means ×1. Integers keep results identical on every
// platform, which floats would not.
type Points int64

// Unit is one whole point.
const Unit Points = 1000

// String formats p with exactly three decimals, e.g. "40.000" or "-0.250".
func (p Points) String() string {
	neg := p < 0
	u := uint64(p)
	if neg {
		u = -u
	}
	frac := strconv.FormatUint(u%1000, 10)
	for len(frac) < 3 {
		frac = "0" + frac
	}
	s := strconv.FormatUint(u/1000, 10) + "." + frac
	if neg {
		s = "-" + s
	}
	return s
}
