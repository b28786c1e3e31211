package contribution

import (
	"unicode/utf8"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/internal/canonjson"
)

// The typed decoders below read the contribution and membership predicates
// in one strict pass and enforce their schemas' constraints in code. The
// general path (decodePredicate: strict check, JSON Schema, strict decode)
// costs several times more, and a request can carry hundreds of these.
//
// They only ever answer "accept": anything they do not accept, for whatever
// reason, goes to decodePredicate, which decides and names the problem with
// its pointer. So they may be stricter than the schema but never looser;
// FuzzFastDecode holds them to that, and to decoding exactly what the
// general path decodes.

// Bits for the members seen, to find missing required ones.
const (
	seenCommons = 1 << iota
	seenContributor
	seenKind
	seenQuantity
	seenUnit
	seenAt
	seenEntity
	seenMemberKey
	seenFrom
)

func fastContribution(raw []byte) (w contributionWire, ok bool) {
	seen := 0
	err := canonjson.Object(raw, predicateLimits, func(key, val []byte) error {
		s, err := canonjson.Unquote(val)
		if string(key) != "evidence" && err != nil {
			return errFast
		}
		good := false
		switch string(key) {
		case "commons":
			w.Commons, good, seen = s, attest.CheckID(s) == nil, seen|seenCommons
		case "contributor":
			w.Contributor, good, seen = s, attest.IsKeyID(s), seen|seenContributor
		case "entity":
			w.Entity, good = s, attest.CheckID(s) == nil
		case "kind":
			w.Kind, good, seen = s, isKindName(s), seen|seenKind
		case "quantity":
			w.Quantity, good, seen = s, runesIn(s, 0, 32), seen|seenQuantity
		case "unit":
			w.Unit, good, seen = s, runesIn(s, 1, 64), seen|seenUnit
		case "from":
			w.From, good = s, isDateTime(s)
		case "at":
			w.At, good, seen = s, isDateTime(s), seen|seenAt
		case "validFrom":
			w.ValidFrom, good = s, isDateTime(s)
		case "validUntil":
			w.ValidUntil, good = s, isDateTime(s)
		case "evidence":
			w.Evidence, good = fastEvidence(val)
		}
		if !good {
			return errFast
		}
		return nil
	})
	const required = seenCommons | seenContributor | seenKind | seenQuantity | seenUnit | seenAt
	return w, err == nil && seen&required == required
}

func fastEvidence(raw []byte) ([]string, bool) {
	var out []string
	err := canonjson.Array(raw, predicateLimits, func(i int, val []byte) error {
		s, err := canonjson.Unquote(val)
		if err != nil || i >= 1024 || !runesIn(s, 1, 512) {
			return errFast
		}
		out = append(out, s)
		return nil
	})
	// An empty array decodes to an empty, non-nil slice on the general path.
	if err == nil && out == nil {
		out = []string{}
	}
	return out, err == nil
}

func fastMembership(raw []byte) (w membershipWire, ok bool) {
	seen := 0
	err := canonjson.Object(raw, predicateLimits, func(key, val []byte) error {
		s, err := canonjson.Unquote(val)
		if err != nil {
			return errFast
		}
		good := false
		switch string(key) {
		case "entity":
			w.Entity, good, seen = s, attest.CheckID(s) == nil, seen|seenEntity
		case "memberKey":
			w.MemberKey, good, seen = s, isStdKey(s), seen|seenMemberKey
		case "role":
			w.Role, good = s, runesIn(s, 0, 128)
		case "from":
			w.From, good, seen = s, isDateTime(s), seen|seenFrom
		case "until":
			w.Until, good = s, isDateTime(s)
		case "validFrom":
			w.ValidFrom, good = s, isDateTime(s)
		case "validUntil":
			w.ValidUntil, good = s, isDateTime(s)
		}
		if !good {
			return errFast
		}
		return nil
	})
	const required = seenEntity | seenMemberKey | seenFrom
	return w, err == nil && seen&required == required
}

// errFast stops a walk; it never leaves this file.
var errFast = &Error{Err: ErrSchema, Detail: "not on the typed path"}

func runesIn(s string, lo, hi int) bool {
	if len(s) < lo {
		return false
	}
	if len(s) <= hi && len(s) >= lo && isASCII(s) {
		return true
	}
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// isStdKey matches ^[A-Za-z0-9+/]{43}=$.
func isStdKey(s string) bool {
	if len(s) != 44 || s[43] != '=' {
		return false
	}
	for i := 0; i < 43; i++ {
		if !isB64(s[i]) {
			return false
		}
	}
	return true
}

// isKindName matches ^[a-z][a-z0-9-]{0,63}$.
func isKindName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isDateTime accepts the RFC 3339 date-times "2026-01-02T15:04:05Z",
// with optional fraction and numeric offset, that name a real instant
// (no leap second, no lower-case T or Z): a subset of what the schema's
// date-time format and time.Parse both accept.
func isDateTime(s string) bool {
	if len(s) < 20 {
		return false
	}
	for i, c := range []byte(s[:19]) {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	year, month, day := num(s[0:4]), num(s[5:7]), num(s[8:10])
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return false
	}
	if num(s[11:13]) > 23 || num(s[14:16]) > 59 || num(s[17:19]) > 59 {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
			i++
		}
		if i == 1 || i > 10 { // time.Parse takes at most nine digits
			return false
		}
		rest = rest[i:]
	}
	if rest == "Z" {
		return true
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return false
	}
	for _, i := range []int{1, 2, 4, 5} {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return num(rest[1:3]) <= 23 && num(rest[4:6]) <= 59
}

// num reads a string of ASCII digits already checked.
func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
