package canonjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// caseVariants are spellings that encoding/json stores in the field named
// by the second string: the refusals below are not about taste, they are
// where it and a reader matching names exactly would disagree.
var caseVariants = []struct{ doc, field string }{
	{`{"PredicateType":"x"}`, "predicateType"},
	{`{"predicatetype":"x"}`, "predicateType"},
	{`{"Predicate\u0054YPE":"x"}`, "predicateType"},
	{"{\"\u212aeyid\":\"x\"}", "keyid"}, // KELVIN SIGN
	{`{"\u017fig":"x"}`, "sig"},         // LATIN SMALL LETTER LONG S
	{`{"VALIDUNTIL":"x"}`, "validUntil"},
}

type namedFields struct {
	PredicateType json.RawMessage `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
	KeyID         json.RawMessage `json:"keyid"`
	Sig           json.RawMessage `json:"sig"`
	ValidUntil    json.RawMessage `json:"validUntil"`
	Subject       json.RawMessage `json:"subject"`
}

var knownNames = []string{"predicateType", "predicate", "keyid", "sig", "validUntil", "subject"}

// field returns the member of v that encoding/json filled for name.
func (v *namedFields) field(name string) json.RawMessage {
	switch name {
	case "predicateType":
		return v.PredicateType
	case "predicate":
		return v.Predicate
	case "keyid":
		return v.KeyID
	case "sig":
		return v.Sig
	case "validUntil":
		return v.ValidUntil
	case "subject":
		return v.Subject
	}
	panic(name)
}

func TestCaseVariantsAreWhatEncodingJSONReads(t *testing.T) {
	for _, tc := range caseVariants {
		var v namedFields
		if err := json.Unmarshal([]byte(tc.doc), &v); err != nil {
			t.Fatal(err)
		}
		if string(v.field(tc.field)) != `"x"` {
			t.Fatalf("encoding/json does not read %s as %s; the test's premise is wrong", tc.doc, tc.field)
		}
	}
}

func TestMembersRefusesCaseVariants(t *testing.T) {
	for _, tc := range caseVariants {
		called := false
		err := Members([]byte(tc.doc), Limits{}, knownNames, func(key, raw []byte) error { called = true; return nil })
		var e *Error
		if !errors.Is(err, ErrCaseVariant) || !errors.As(err, &e) || e.Offset != 1 || called {
			t.Errorf("Members(%s) = %v (callback called: %v), want ErrCaseVariant at offset 1", tc.doc, err, called)
			continue
		}
		var name string
		_ = Object([]byte(tc.doc), Limits{}, func(key, raw []byte) error { name = string(key); return nil })
		if e.Pointer != "/"+name {
			t.Errorf("Members(%s): pointer %q, want %q", tc.doc, e.Pointer, "/"+name)
		}
		// Decode into the struct refuses the same spelling the same way.
		var v namedFields
		if err := Decode([]byte(tc.doc), &v, Limits{}); !errors.Is(err, ErrCaseVariant) || !errors.As(err, &e) || e.Pointer != "/"+name {
			t.Errorf("Decode(%s) = %v", tc.doc, err)
		}
	}
	// Later in the document, beside the exact name, and in a pointer that
	// needs escaping.
	err := Members([]byte(`{"predicateType":"a","other":1,"PredicateType":"b"}`), Limits{}, knownNames, func(key, raw []byte) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Err != ErrCaseVariant || e.Pointer != "/PredicateType" || e.Offset != 31 {
		t.Errorf("beside the exact name: %v", err)
	}
	err = Members([]byte(`{"a/B":1}`), Limits{}, []string{"a/b"}, func(key, raw []byte) error { return nil })
	if !errors.As(err, &e) || e.Err != ErrCaseVariant || e.Pointer != "/a~1B" {
		t.Errorf("escaped pointer: %v", err)
	}
}

// Members hands names over unescaped, passes exact and unrelated names to
// the callback, and checks nothing below the top level (nested objects
// are the callback's to read with their own names).
func TestMembersPassesOthers(t *testing.T) {
	doc := `{"predicate\u0054ype":"t","predicate":{"PredicateType":1},"Subjects":[],"\u0073ig":"s"}`
	var got []string
	err := Members([]byte(doc), Limits{}, knownNames, func(key, raw []byte) error {
		got = append(got, string(key))
		return nil
	})
	want := []string{"predicateType", "predicate", "Subjects", "sig"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("Members: %v, saw %q", err, got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("saw %q, want %q", got, want)
		}
	}
	// Checking names costs no allocation (unescaping them does).
	plain := []byte(`{"predicateType":"t","predicate":{"PredicateType":1},"Subjects":[],"sig":"s","K":1}`)
	if n := testing.AllocsPerRun(100, func() {
		_ = Members(plain, Limits{}, knownNames, func(key, raw []byte) error { return nil })
	}); n != 0 {
		t.Errorf("Members allocates %v times", n)
	}
}

func TestMayHold(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{`{"a":1}`, false},
		{`{"validFrom":"x"}`, true},
		{`{"VALIDFROM":"x"}`, true},
		{`{"valid\u0055ntil":"x"}`, true}, // an escape anywhere may be in a name
		{`{"a":"\n"}`, true},
		{"{\"\u212a\":1}", true}, // folds to k, which a name could hold
		{`{"\u017f":1}`, true},
		{`{"validUnti":1,"alidUntil":2}`, false},
		{`{"é":"validfro"}`, false},
		{`validuntil`, true},
		{``, false},
	} {
		if got := MayHold([]byte(tc.doc), "validFrom", "validUntil"); got != tc.want {
			t.Errorf("MayHold(%s) = %v, want %v", tc.doc, got, tc.want)
		}
	}
	if !MayHold([]byte(`{"a":1}`), "café") {
		t.Error("MayHold is sure about a name that is not ASCII")
	}
}

// FuzzMembers holds Members to encoding/json: whatever Members accepts,
// encoding/json reads, for every known name, exactly the value Members
// handed the callback under that name (or nothing when it handed none),
// and MayHold never denies a name Members found.
func FuzzMembers(f *testing.F) {
	for _, tc := range caseVariants {
		f.Add([]byte(tc.doc))
	}
	for _, s := range []string{
		`{"predicateType":"a","predicate":{"x":1},"keyid":"k","sig":"s","subject":[{"name":"n"}]}`,
		`{"predicate\u0054ype":"a","PREDICATE":1}`,
		`{"𐀀":1,"𐀁":2,"\ud800\udc00":3}`,
		`{"valid\u0055ntil":"2020-01-01T00:00:00Z","validFrom":"2019-01-01T00:00:00Z"}`,
		`{"\u212aeyid":"x","keyid":"y"}`,
		`{"sig":"a","\u0073ig":"b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		seen := map[string][]byte{}
		err := Members(in, Limits{}, knownNames, func(key, raw []byte) error {
			seen[string(key)] = raw
			return nil
		})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			return
		}
		var v namedFields
		if err := json.Unmarshal(in, &v); err != nil {
			// encoding/json refuses a value of the wrong type for a
			// RawMessage only if it is not JSON at all.
			t.Fatalf("encoding/json refuses what Members accepts: %v", err)
		}
		found := false
		for _, name := range knownNames {
			raw, ok := seen[name]
			found = found || ok
			if got := v.field(name); !bytes.Equal(got, raw) {
				t.Fatalf("%s: encoding/json reads %q, Members handed %q", name, got, raw)
			}
		}
		if found && !MayHold(in, knownNames...) {
			t.Fatalf("MayHold denies a name Members found in %q", in)
		}
	})
}
