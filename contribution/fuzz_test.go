package contribution

import (
	"encoding/json"
	"errors"
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
