package canonjson

import (
	"math"
	"strconv"
	"unicode/utf8"
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
		dst = appendEscape(dst, c)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape writes the escape of c, which is '"', '\\' or a control
// character.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
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

// AppendString appends s exactly as Marshal encodes a Go string: each byte
// that is not part of valid UTF-8 becomes U+FFFD (encoding/json's
// coercion), then the RFC 8785 escaping of appendString. It lets a caller
// write canonical JSON of a known shape directly, without Marshal's
// reflection and re-parse.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendInt appends n as Marshal encodes an integer: RFC 8785 numbers are
// IEEE doubles, so beyond ±2^53 n is written as the nearest one.
func AppendInt(dst []byte, n int64) []byte {
	if n > -1<<53 && n < 1<<53 {
		return strconv.AppendInt(dst, n, 10)
	}
	return AppendNumber(dst, float64(n))
}
