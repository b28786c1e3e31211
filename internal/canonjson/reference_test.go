package canonjson

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gowebpki/jcs"
)

// The encoder is held to an RFC 8785 implementation nobody here wrote,
// github.com/gowebpki/jcs (a port of the RFC authors' Go code), so that a
// third party canonicalising the same bytes gets the same digest.

// referenceCases are inputs where a canonicaliser is most easily wrong:
// names beyond the BMP (surrogate pairs in UTF-16), names that differ from
// each other only there, escaped names, and numbers at the edges of
// ECMAScript's formats.
var referenceCases = []string{
	`{"𐀁":1,"𐀀":2,"a":3}`,
	`{"\ud83d\ude01":1,"\ud83d\ude00":2,"\ud800\udc00":3,"\uffff":4,"\ud7ff":5,"\ue000":6}`,
	`{"a𐀁":{"b\u00e9":1,"b\u00c9":2},"a𐀀":[{"\u0041":1,"a":2}]}`,
	`{"valid\u0055ntil":"2020-01-01T00:00:00Z","validFrom":"\u0032"}`,
	`{"PredicateType":1,"predicateType":2,"predicatetype":3}`,
	`{"\u212a":1,"k":2,"K":3,"\u017f":4,"s":5}`,
	`[1e21,1e-7,0.000001,-0,123456789012345678,5e-324,1.7976931348623157e308,0.1,100]`,
	`"\u2028\u2029\u007f\u0000\u001f\"\\\/"`,
	`{"":{"":[]},"\u0000":{}}`,
}

func TestCanonicalizeMatchesReference(t *testing.T) {
	var inputs [][]byte
	files, err := filepath.Glob("testdata/jcs/input/*.json")
	if err != nil || len(files) != 6 {
		t.Fatalf("want 6 vector inputs, got %d (%v)", len(files), err)
	}
	for _, name := range files {
		inputs = append(inputs, mustRead(t, name))
	}
	for _, c := range referenceCases {
		inputs = append(inputs, []byte(c))
	}
	for _, in := range inputs {
		// The reference reads a top-level number to the end of its input,
		// whitespace included; whitespace around the value means nothing.
		want, err := jcs.Transform(bytes.TrimLeft(bytes.TrimRight(in, " \t\r\n"), " \t\r\n"))
		if err != nil {
			t.Fatalf("reference refused %s: %v", in, err)
		}
		got, err := Canonicalize(in)
		if err != nil {
			t.Fatalf("Canonicalize(%s): %v", in, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Canonicalize(%s)\n got  %s\n want %s", in, got, want)
		}
	}
}

// FuzzReference: whatever Canonicalize accepts, the reference accepts
// too and canonicalises to the same bytes. (The reference is laxer in
// places, e.g. it does not compare names after unescaping for duplicates,
// so the converse is not required.)
func FuzzReference(f *testing.F) {
	addVectorSeeds(f)
	addNameSeeds(f)
	for _, c := range referenceCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Canonicalize(in)
		if err != nil {
			return
		}
		// The reference reads a top-level number to the end of its input,
		// whitespace included; whitespace around the value means nothing.
		want, err := jcs.Transform(bytes.TrimLeft(bytes.TrimRight(in, " \t\r\n"), " \t\r\n"))
		if err != nil {
			t.Fatalf("reference refuses %q, which we canonicalise to %q: %v", in, got, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("input %q\n got  %q\n want %q", in, got, want)
		}
	})
}
