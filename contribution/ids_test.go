package contribution

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// This file uses only what the package had before ids got a grammar, so it
// runs against that code too; there the decoders took every bad id below.

// badIDs are commons or entity ids outside the grammar, as Go strings.
var badIDs = []string{
	"Acme", "acme\u202e", "ac\u200dme", "acm\x07e", "\x00", "аcme", "café", "acme inc",
	"a:b", "a*", "-acme", "acme-", "a..b", "\ufffd", strings.Repeat("x", 129),
}

// badIDsJSON are bad ids as they may be written in JSON, escaped or raw.
var badIDsJSON = []string{`"acme\u202e"`, `"\u0041cme"`, `"ac\u200dme"`, `"\u00e4"`, `"a\u0000"`, `"\ud800"`, "\"ac\xffme\"", "\"a\xed\xa0\x80\""}

// jsonString quotes s for a predicate written by hand: controls escaped as
// JSON requires, every other byte left as it is (json.Marshal would turn
// invalid UTF-8 into U+FFFD, which is not what an attacker sends).
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func allBadIDsJSON() []string {
	out := append([]string(nil), badIDsJSON...)
	for _, id := range badIDs {
		out = append(out, jsonString(id))
	}
	return out
}

// verifiedAbout is what attest would hand over for a predicate about
// subject (written as inside a JSON string) signed by steward 1, in an
// envelope the member key 30 signed too.
func verifiedAbout(t *testing.T, predicateType, subject, pred string) *attest.Verified {
	t.Helper()
	var name string
	if err := json.Unmarshal([]byte(`"`+subject+`"`), &name); err != nil {
		name = subject
	}
	env, err := attest.SignStatement(attest.Statement{Type: attest.StatementType, PredicateType: predicateType,
		Subject: []attest.Subject{attest.SubjectFor("entity:a")}, Predicate: json.RawMessage(`{}`)}, key(30))
	if err != nil {
		t.Fatal(err)
	}
	return &attest.Verified{Digest: "sha256:test", Signers: []string{keyID(1)}, Envelope: env, Statement: attest.Statement{
		Type: attest.StatementType, PredicateType: predicateType, Subject: []attest.Subject{attest.SubjectFor(name)}, Predicate: json.RawMessage(pred)}}
}

func wantSchemaAt(t *testing.T, what string, err error, ptr string) {
	t.Helper()
	var e *Error
	if !errors.Is(err, ErrSchema) || !errors.As(err, &e) || e.Pointer != ptr {
		t.Errorf("%s: got %v, want ErrSchema at %q", what, err, ptr)
	}
}

func TestDecodersRefuseBadIDs(t *testing.T) {
	member := key(30).Public().(ed25519.PublicKey)
	memberKey := base64.StdEncoding.EncodeToString(member)
	for _, id := range allBadIDsJSON() {
		raw := id[1 : len(id)-1] // the id as written inside the quotes
		reg := CommonsSet{}
		var plain string
		if json.Unmarshal([]byte(id), &plain) == nil {
			reg[plain] = Commons{ID: plain, Stewards: []string{keyID(1)}}
		}
		c := `{"commons":` + id + `,"contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`
		_, err := DecodeContribution(verifiedAbout(t, ContributionPredicateType, "commons:"+raw, c), reg)
		wantSchemaAt(t, "contribution commons "+id, err, "/commons")

		reg["a"] = Commons{ID: "a", Stewards: []string{keyID(1)}}
		c = `{"commons":"a","contributor":"SHA256:` + b43 + `","entity":` + id + `,"kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`
		_, err = DecodeContribution(verifiedAbout(t, ContributionPredicateType, "commons:a", c), reg)
		wantSchemaAt(t, "contribution entity "+id, err, "/entity")

		m := `{"entity":` + id + `,"memberKey":"` + memberKey + `","from":"2026-01-01T00:00:00Z"}`
		_, err = DecodeMembership(verifiedAbout(t, MembershipPredicateType, "entity:"+raw, m))
		wantSchemaAt(t, "membership entity "+id, err, "/entity")

		e := `{"entity":` + id + `,"asOf":"2026-01-01T00:00:00Z"}`
		_, err = DecodeEntity(verifiedAbout(t, EntityPredicateType, "entity:"+raw, e))
		wantSchemaAt(t, "entity "+id, err, "/entity")
	}
}

func TestBuildersRefuseBadIDs(t *testing.T) {
	member := key(30).Public().(ed25519.PublicKey)
	good := Contribution{Commons: "a", Contributor: keyID(30), Kind: "code", Quantity: 1000, Unit: "u", At: day(2)}
	for _, id := range badIDs {
		c := good
		c.Commons = id
		_, err := NewContributionStatement(c)
		wantSchemaAt(t, "NewContributionStatement commons "+jsonString(id), err, "/commons")
		c = good
		c.Entity = id
		_, err = NewContributionStatement(c)
		wantSchemaAt(t, "NewContributionStatement entity "+jsonString(id), err, "/entity")
		_, err = NewMembershipStatement(Membership{Entity: id, From: day(0)}, member)
		wantSchemaAt(t, "NewMembershipStatement "+jsonString(id), err, "/entity")
		_, err = NewEntityStatement(Entity{ID: id, AsOf: day(0)})
		wantSchemaAt(t, "NewEntityStatement "+jsonString(id), err, "/entity")
	}
}

// The ids the module's tests, examples and sample data use still decode,
// on the typed path and the general one.
func TestDecodersTakeGoodIDs(t *testing.T) {
	for _, id := range []string{"a", "alpha", "docs-commons", "makers-coop", "c00000", "org.example.cad", "snake_case", "3d", strings.Repeat("x", 128)} {
		reg := CommonsSet{id: {ID: id, Stewards: []string{keyID(1)}}}
		c := `{"commons":"` + id + `","contributor":"SHA256:` + b43 + `","entity":"` + id + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`
		got, err := DecodeContribution(verifiedAbout(t, ContributionPredicateType, "commons:"+id, c), reg)
		if err != nil || got.Commons != id || got.Entity != id {
			t.Errorf("contribution about %q: %v", id, err)
		}
		var w contributionWire // the general path, which the typed one falls back to
		if err := decodePredicate(ContributionPredicateType, []byte(c), "", &w); err != nil || w.Commons != id {
			t.Errorf("general path, contribution about %q: %v", id, err)
		}
		e := `{"entity":"` + id + `","asOf":"2026-01-01T00:00:00Z"}`
		if got, err := DecodeEntity(verifiedAbout(t, EntityPredicateType, "entity:"+id, e)); err != nil || got.ID != id {
			t.Errorf("entity %q: %v", id, err)
		}
		if _, err := NewMembershipStatement(Membership{Entity: id, From: day(0)}, key(30).Public().(ed25519.PublicKey)); err != nil {
			t.Errorf("membership %q: %v", id, err)
		}
	}
}
