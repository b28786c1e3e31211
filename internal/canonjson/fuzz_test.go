package canonjson

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func addVectorSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/jcs/input/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// nameSeeds are objects whose names are where readers disagree: beyond
// the BMP (surrogate pairs sharing a high unit), escaped, and differing
// only in case (ASCII, the Kelvin sign, the long s).
var nameSeeds = []string{
	`{"𐀀":1,"𐀁":2,"𐀀":3}`,
	`{"𐀁":1,"\ud800\udc00":2,"\uffff":3,"\ud7ff":4,"\ue000":5}`,
	`{"\ud83d\ude01":[{"\ud83d\ude00":1,"😁":2}],"a𐀀":{"a\ud800\udc01":0}}`,
	`{"valid\u0055ntil":"2020-01-01T00:00:00Z","validFrom":"2019-01-01T00:00:00Z"}`,
	`{"id":"x","ID":"y","Id":"z"}`,
	`{"by\u212aey":{},"item\u017f":[],"ITEMS":[{"NAME":"a"}]}`,
	`{"k\u0030":1,"\u006b0":2}`,
}

func addNameSeeds(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add([]byte(s))
	}
}

// FuzzCanonicalize: canonical output is itself accepted, is a fixed point,
// and decodes to the same value as the input.
func FuzzCanonicalize(f *testing.F) {
	addVectorSeeds(f)
	addNameSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Canonicalize(in)
		if err != nil {
			if Check(in, Limits{MaxBytes: -1}) == nil {
				t.Fatalf("Canonicalize refused what Check accepts: %v", err)
			}
			return
		}
		again, err := Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output refused: %v\n%q", err, out)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		var a, b any
		if err := json.Unmarshal(in, &a); err != nil {
			t.Fatalf("encoding/json refused accepted input: %v", err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("encoding/json refused canonical output: %v", err)
		}
		// DeepEqual compares numbers with ==, so -0 (which RFC 8785 writes
		// as 0) equals 0.
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("value changed:\n%#v\n%#v", a, b)
		}
	})
}

// FuzzDecode: never panics, and whatever it accepts encoding/json accepts.
func FuzzDecode(f *testing.F) {
	addVectorSeeds(f)
	addNameSeeds(f)
	f.Add([]byte(`{"id":"x","items":[{"name":"a","count":3}],"byKey":{"k":{"name":"b"}},"raw":{}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var v outer
		if err := Decode(in, &v, Limits{MaxDepth: 32}); err != nil {
			return
		}
		var w outer
		if err := json.Unmarshal(in, &w); err != nil {
			t.Fatalf("Decode accepted what encoding/json refuses: %v", err)
		}
	})
}

// FuzzAppendString holds the direct writers to Marshal: a string or an
// integer written by AppendString or AppendInt is byte for byte what
// Marshal (encoding/json, then canonicalisation) makes of it, invalid
// UTF-8, HTML characters, U+2028 and integers beyond 2^53 included.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\\b\f\n\r\t\x00\x1f\x7f", "<a>&", "\u2028\u2029", "é€😀", "\xff", "a\xc3(b", "\xed\xa0\x80", "\xf0\x90\x80"} {
		f.Add(s, int64(len(s)))
	}
	for _, n := range []int64{0, -1, 1 << 53, 1<<53 + 1, -(1<<53 + 1), math.MaxInt64, math.MinInt64} {
		f.Add("", n)
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		want, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, Marshal: %s", s, got, want)
		}
		if want, err = Marshal(n); err != nil {
			t.Fatal(err)
		}
		if got := AppendInt(nil, n); !bytes.Equal(got, want) {
			t.Fatalf("AppendInt(%d) = %s, Marshal: %s", n, got, want)
		}
	})
}
