package attest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A key revoked from T is judged by when its statements were first seen,
// not by the dates they carry: a thief who steals the key at T can sign
// statements dated before T, but no recorder saw them before T.
func TestRevocationByFirstSeen(t *testing.T) {
	steward, revoker := testKey("steward"), testKey("revoker")
	trust, err := NewTrust(
		Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(revoker), PredicateTypes: []string{RevocationPredicateType}, Subjects: []string{"key:*"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	revokedFrom := t0.AddDate(0, 6, 0)
	honest := signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"note": "honest, recorded in January"}), steward)
	// The thief's statement claims a date long before the theft.
	stolen := signedJSON(t, testStatement(t, "commons:alpha", map[string]any{"note": "backdated", "at": "2025-01-01T00:00:00Z"}), steward)

	kst, err := NewRevocationStatement(Revocation{Key: KeyID(pubOf(steward)), From: &revokedFrom, Reason: "key stolen"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trust.Revoke(signedJSON(t, kst, revoker), revokedFrom.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	later := revokedFrom.AddDate(1, 0, 0)
	recordedBefore := t0.AddDate(0, 1, 0)

	cases := []struct {
		name      string
		env       []byte
		firstSeen time.Time
		want      error
	}{
		{"recorded before T, checked a year after", honest, recordedBefore, nil},
		{"recorded an instant before T", honest, revokedFrom.Add(-time.Nanosecond), nil},
		{"recorded at T", honest, revokedFrom, ErrRevoked},
		{"backdated, recorded after T", stolen, revokedFrom.Add(time.Minute), ErrRevoked},
		{"no recorder: seen now, after T", honest, time.Time{}, ErrRevoked},
	}
	for _, c := range cases {
		o := opts(later)
		o.FirstSeen = c.firstSeen
		v, err := trust.Verify(c.env, o)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			continue
		}
		if err == nil {
			if !v.FirstSeen.Equal(c.firstSeen) {
				t.Errorf("%s: Verified.FirstSeen = %v, want %v", c.name, v.FirstSeen, c.firstSeen)
			}
			// Judged at a fixed first-seen instant, the key's standing no
			// longer moves with the time of the check.
			if !v.Holds.Contains(later.AddDate(10, 0, 0)) {
				t.Errorf("%s: Holds %v ends although nothing about the answer changes", c.name, v.Holds)
			}
		}
		var ve *VerifyError
		if c.want != nil && (!errors.As(err, &ve) || ve.KeyID != KeyID(pubOf(steward)) || !strings.Contains(ve.Detail, "first seen")) {
			t.Errorf("%s: refusal %v does not name the key and the first-seen time", c.name, err)
		}
	}

	// The rules' windows are the key's standing too: a statement recorded
	// while the key was trusted keeps counting once its trust has ended.
	until := t0.AddDate(1, 0, 0)
	expiring, _ := NewTrust(Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}, Until: until})
	o := opts(until.AddDate(2, 0, 0))
	if _, err := expiring.Verify(honest, o); !errors.Is(err, ErrExpired) {
		t.Errorf("seen now, after the rule's end: %v, want ErrExpired", err)
	}
	o.FirstSeen = until.Add(-time.Hour)
	if _, err := expiring.Verify(honest, o); err != nil {
		t.Errorf("recorded while trusted: %v", err)
	}
}

// A revocation that could name nothing is refused, not applied as a no-op:
// digests and key ids are compared as strings.
func TestRevocationNamesSomething(t *testing.T) {
	from := t0
	good := Digest([]byte("x"))
	for _, r := range []Revocation{
		{Statement: strings.ToUpper(good[:7]) + good[7:]},
		{Statement: "sha256:" + strings.ToUpper(good[7:])},
		{Statement: good[:70]},
		{Statement: good + "0"},
		{Key: "SHA256:not-a-key-id", From: &from},
		{Key: "sha256:" + KeyID(pubOf(testKey("k")))[7:], From: &from},
		{Key: KeyID(pubOf(testKey("k"))) + "=", From: &from},
	} {
		if _, err := NewRevocationStatement(r); !errors.Is(err, ErrMalformed) {
			t.Errorf("%+v: err = %v, want ErrMalformed", r, err)
		}
	}
	if _, err := NewRevocationStatement(Revocation{Statement: good}); err != nil {
		t.Errorf("well-formed digest refused: %v", err)
	}
	if _, err := NewRevocationStatement(Revocation{Key: KeyID(pubOf(testKey("k"))), From: &from}); err != nil {
		t.Errorf("well-formed key id refused: %v", err)
	}

	// The same check holds on the verifying side, for revocations signed by
	// other tools.
	revoker := testKey("revoker")
	trust, _ := NewTrust(Rule{Key: pubOf(revoker), PredicateTypes: []string{RevocationPredicateType}, Subjects: []string{"statement:*"}})
	upper := "sha256:" + strings.ToUpper(good[7:])
	pred := []byte(`{"statement":"` + upper + `"}`)
	if _, err := NewStatement(RevocationPredicateType, map[string]string{"statement": upper}, SubjectFor("statement:"+upper)); !errors.Is(err, ErrInvalidID) {
		t.Errorf("statement with an upper-case digest subject built: %v", err)
	}
	// Built by hand, as another tool might, it still does not revoke.
	st := Statement{Type: StatementType, Subject: []Subject{SubjectFor("statement:" + upper)}, PredicateType: RevocationPredicateType, Predicate: pred}
	if _, err := trust.Revoke(signedJSON(t, st, revoker), t0); err == nil || trust.RevokedStatement(upper) {
		t.Errorf("upper-case digest revoked: %v", err)
	}
}
