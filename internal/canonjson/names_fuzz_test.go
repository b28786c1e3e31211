package canonjson

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// spell writes s as a JSON string token, escaping the runes whose bit is
// set in mask (cycling) as \uXXXX, as a surrogate pair beyond the BMP, so
// one name comes in many spellings.
func spell(s string, mask uint64) string {
	var b strings.Builder
	b.WriteByte('"')
	i := 0
	for _, r := range s {
		escape := mask&(1<<(i%64)) != 0 || r < 0x20 || r == '"' || r == '\\'
		i++
		if !escape {
			b.WriteRune(r)
			continue
		}
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04X`, hi, lo)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// variant changes the case of name as encoding/json would still match it.
func variant(name string, how uint8) string {
	switch how % 4 {
	case 1:
		return strings.ToUpper(name)
	case 2:
		return strings.ToLower(name)
	case 3:
		// The characters outside ASCII that fold to ASCII letters.
		return strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "S", "\u017f").Replace(name)
	}
	return name
}

// FuzzNames generates objects whose member names are astral-plane
// characters, escaped spellings and case variants of one another, and
// checks duplicate detection, RFC 8785 order (UTF-16 code units, against
// utf16.Encode and the reference implementation) and case-variant refusal.
func FuzzNames(f *testing.F) {
	f.Add("𐀀", "𐀁", "\ud7ff", uint64(0), uint64(0), uint8(0))
	f.Add("𐀀", "𐀀", "a", uint64(1), uint64(0), uint8(0))
	f.Add("validUntil", "validUntil", "validFrom", uint64(0x20), uint64(0), uint8(1))
	f.Add("keyid", "sig", "subject", uint64(0), uint64(3), uint8(3))
	f.Add("\uffff", "😀", "\ue000", uint64(2), uint64(5), uint8(0))
	f.Add("predicateType", "PredicateType", "predicate", uint64(0), uint64(0), uint8(2))
	f.Add("𐀁", "𐀀", "z", uint64(0), uint64(0), uint8(0))
	f.Add("𐀀", "𐀁", "𐀀", uint64(0), uint64(1), uint8(0))
	f.Fuzz(func(t *testing.T, a, b, c string, maskA, maskB uint64, how uint8) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) || !utf8.ValidString(c) {
			return
		}
		names := []string{a, b, c}
		b2 := variant(b, how)
		doc := fmt.Sprintf(`{%s:1,%s:2,%s:3}`, spell(a, maskA), spell(b2, maskB), spell(c, maskA^maskB))
		names[1] = b2
		out, err := Canonicalize([]byte(doc))
		dup := a == b2 || a == c || b2 == c
		if dup != errors.Is(err, ErrDuplicateKey) {
			t.Fatalf("%s: duplicate %v, Canonicalize %v", doc, dup, err)
		}
		if err != nil {
			return
		}
		// The canonical order is that of the names' UTF-16 code units.
		order := slices.Clone(names)
		slices.SortFunc(order, func(x, y string) int {
			return slices.Compare(utf16.Encode([]rune(x)), utf16.Encode([]rune(y)))
		})
		var got []string
		if err := Object(out, Limits{}, func(key, raw []byte) error { got = append(got, string(key)); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, order) {
			t.Fatalf("%s: canonical order %q, UTF-16 order %q", doc, got, order)
		}
		if want, err := jcs.Transform([]byte(doc)); err != nil || string(want) != string(out) {
			t.Fatalf("%s: ours %s, reference %s (%v)", doc, out, want, err)
		}
		// A reader of a finds a case variant exactly when another name
		// folds to a without being it.
		isVariant := (b2 != a && strings.EqualFold(b2, a)) || (c != a && strings.EqualFold(c, a))
		err = Members([]byte(doc), Limits{}, []string{a}, func(key, raw []byte) error { return nil })
		if isVariant != errors.Is(err, ErrCaseVariant) {
			t.Fatalf("%s: variant of %q: %v, Members %v", doc, a, isVariant, err)
		}
	})
}
