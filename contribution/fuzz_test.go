package contribution

import (
	"encoding/json"
	"errors"
	"github.com/google/go-cmp/cmp"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// FuzzDecodePredicates feeds arbitrary predicate bytes to every decoder: no
// panic, and either a typed *Error or a value that survives a round trip
// through its builder.
func FuzzDecodePredicates(f *testing.F) {
	f.Add([]byte(`{"commons":"a","contributor":"SHA256:`+b43+`","kind":"code","quantity":"1.5","unit":"u","at":"2026-01-01T00:00:00Z"}`), uint8(0))
	f.Add([]byte(`{"entity":"acme","memberKey":"`+b43+`=","from":"2026-01-01T00:00:00Z","until":"2027-01-01T00:00:00Z"}`), uint8(1))
	f.Add([]byte(`{"entity":"acme","asOf":"2026-01-01T00:00:00Z","kind":"for-profit","headcount":3,"annualRevenue":{"amount":100,"currency":"EUR"}}`), uint8(2))
	f.Add([]byte(`{"commons":"a","commons":"a"}`), uint8(0))
	f.Add([]byte(`[]`), uint8(1))
	f.Fuzz(func(t *testing.T, pred []byte, which uint8) {
		types := []string{ContributionPredicateType, MembershipPredicateType, EntityPredicateType}
		pt := types[int(which)%len(types)]
		var probe struct {
			Commons string `json:"commons"`
			Entity  string `json:"entity"`
		}
		_ = json.Unmarshal(pred, &probe)
		v := &attest.Verified{Digest: "sha256:fuzz", Signers: []string{keyID(1)}, Envelope: &attest.Envelope{},
			Statement: attest.Statement{PredicateType: pt, Predicate: json.RawMessage(pred),
				Subject: []attest.Subject{attest.SubjectFor("commons:" + probe.Commons), attest.SubjectFor("entity:" + probe.Entity)}}}
		var e *Error
		check := func(err error) bool {
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return err == nil
		}
		switch pt {
		case ContributionPredicateType:
			c, err := DecodeContribution(v, CommonsSet{probe.Commons: {ID: probe.Commons, Stewards: []string{keyID(1)}}})
			if check(err) {
				if _, err := NewContributionStatement(c); err != nil {
					t.Fatalf("decoded %+v does not rebuild: %v", c, err)
				}
			}
		case MembershipPredicateType:
			_, err := DecodeMembership(v)
			if err == nil {
				t.Fatal("membership accepted without the member's signature")
			}
			check(err)
		default:
			ent, err := DecodeEntity(v)
			if check(err) {
				if _, err := NewEntityStatement(ent); err != nil {
					t.Fatalf("decoded %+v does not rebuild: %v", ent, err)
				}
			}
		}
	})
}

// FuzzParseQuantity: never panics, accepts only what formats back the same.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"0", "1.5", "0.125", "-1", "1e3", "01", "999999999.999", "1000000000", ".5", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			if !errors.Is(err, ErrQuantity) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if q < 0 || q > MaxQuantity {
			t.Fatalf("%q -> %d out of range", s, q)
		}
		back, err := ParseQuantity(q.String())
		if err != nil || back != q {
			t.Fatalf("%q -> %s -> %d, %v", s, q, back, err)
		}
	})
}

// FuzzFastDecode holds the typed decoders to the general path: whatever
// they accept, the strict check plus JSON Schema accepts too, and decodes
// to the same fields.
func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{
		`{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1.5","unit":"u","at":"2026-01-01T00:00:00Z"}`,
		`{"commons":"a.b-c_d","contributor":"SHA256:` + b43 + `","entity":"e","kind":"a-1","quantity":"","unit":"u","from":"2024-02-29T23:59:59.123456789+05:30","at":"2026-01-01T00:00:00Z","evidence":["x","\ud83d\ude00"],"validFrom":"2026-01-01T00:00:00-01:00","validUntil":"2027-01-01T00:00:00Z"}`,
		`{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-02-29T00:00:00Z"}`,
		`{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:60Z","evidence":[]}`,
		`{"entity":"acme","memberKey":"` + b43 + `=","from":"2026-01-01T00:00:00Z","until":"2027-01-01T00:00:00Z","role":""}`,
		`{"entity":"acme","memberKey":"` + b43 + `=","from":"2026-01-01t00:00:00z"}`,
		`{"entity":null,"memberKey":"` + b43 + `=","from":"2026-01-01T00:00:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameAsSchema(t, raw, ContributionPredicateType, fastContribution)
		sameAsSchema(t, raw, MembershipPredicateType, fastMembership)
	})
}

// sameAsSchema fails t if the typed decoder accepts raw but the general
// path (strict check, JSON Schema, strict decode) refuses it or decodes
// other fields.
func sameAsSchema[W any](t *testing.T, raw []byte, predicateType string, typed func([]byte) (W, bool)) {
	t.Helper()
	got, ok := typed(raw)
	if !ok {
		return
	}
	var want W
	if err := decodePredicate(predicateType, raw, "", &want); err != nil {
		t.Fatalf("typed path accepts a %s the schema refuses: %v\n%s", predicateType, err, raw)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s decoded differently (-general +typed):\n%s", predicateType, diff)
	}
}

// TestFastDecodeTakesUsualPredicates checks the typed path is the one
// usual predicates take, so FuzzFastDecode tests something.
func TestFastDecodeTakesUsualPredicates(t *testing.T) {
	c := []byte(`{"commons":"a.b","contributor":"SHA256:` + b43 + `","entity":"e","kind":"a-1","quantity":"2","unit":"u","from":"2024-02-29T23:59:59.5+05:30","at":"2026-01-01T00:00:00Z","evidence":["x"],"validUntil":"2027-01-01T00:00:00Z"}`)
	if w, ok := fastContribution(c); !ok || w.Commons != "a.b" || w.Evidence[0] != "x" || w.From != "2024-02-29T23:59:59.5+05:30" {
		t.Errorf("contribution not taken: %+v %v", w, ok)
	}
	m := []byte(`{"entity":"acme","memberKey":"` + b43 + `=","role":"dev","from":"2026-01-01T00:00:00Z","until":"2027-01-01T00:00:00Z"}`)
	if w, ok := fastMembership(m); !ok || w.Role != "dev" || w.Until == "" {
		t.Errorf("membership not taken: %+v %v", w, ok)
	}
	for _, bad := range []string{"2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+24:00"} {
		if isDateTime(bad) {
			t.Errorf("isDateTime(%q) = true", bad)
		}
	}
}
