package canonjson

import (
	"math"
	"strconv"
)

const hexDigits = "0123456789abcdef"

// appendString writes s as an RFC 8785 string: only '"', '\\' and the
// control characters are escaped, using the two-character forms where JSON
// has them and \u00xx (lowercase hex) otherwise. Everything else, including
// U+2028, U+2029 and non-ASCII characters, is written as UTF-8.
func appendString(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendNumber appends f formatted as ECMAScript's Number.prototype.toString
// does (ECMA-262 7.1.12.1), which RFC 8785 section 3.2.2.3 requires: the
// shortest decimal that round-trips, in fixed notation for magnitudes in
// [1e-6, 1e21) and exponential notation otherwise. NaN and infinities have
// no JSON form; the caller must not pass them.
func AppendNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0') // also -0
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
	// Go writes a two-digit exponent ("1e-07"); ECMAScript writes the
	// minimal one ("1e-7").
	e := n
	for e < len(dst) && dst[e] != 'e' {
		e++
	}
	if e+3 < len(dst) && dst[e+2] == '0' {
		dst = append(dst[:e+2], dst[e+3:]...)
	}
	return dst
}
