package contribution

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// world is a trust configuration like a real deployment: steward 1 attests
// contributions to commons "a", entity key 10 speaks for entity "acme",
// registrar 20 attests facts about any entity.
func world(t testing.TB) (*attest.Trust, *Ledger) {
	t.Helper()
	pub := func(s byte) ed25519.PublicKey { return key(s).Public().(ed25519.PublicKey) }
	tr, err := attest.NewTrust(
		attest.Rule{Key: pub(1), PredicateTypes: []string{ContributionPredicateType}, Subjects: []string{"commons:a"}},
		attest.Rule{Key: pub(9), PredicateTypes: []string{ContributionPredicateType}, Subjects: []string{"commons:*"}},
		attest.Rule{Key: pub(10), PredicateTypes: []string{MembershipPredicateType, EntityPredicateType}, Subjects: []string{"entity:acme"}},
		attest.Rule{Key: pub(20), PredicateTypes: []string{EntityPredicateType}, Subjects: []string{"entity:*"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return tr, newTestLedger(t)
}

func signed(t testing.TB, st attest.Statement, seeds ...byte) []byte {
	t.Helper()
	var signers []ed25519.PrivateKey
	for _, s := range seeds {
		signers = append(signers, key(s))
	}
	env, err := attest.SignStatement(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range signers {
		if err := env.AddSignature(s); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verify(t testing.TB, tr *attest.Trust, env []byte, pt string) *attest.Verified {
	t.Helper()
	v, err := tr.Verify(env, attest.VerifyOptions{Time: day(100), PredicateTypes: []string{pt}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIngestSignedEndToEnd(t *testing.T) {
	tr, l := world(t)
	alice := key(30).Public().(ed25519.PublicKey)
	cs, err := NewContributionStatement(Contribution{Commons: "a", Contributor: attest.KeyID(alice), Kind: "code", Quantity: 2500, Unit: "commits",
		From: day(1), At: day(2), Evidence: []string{"gitCommit:0123456789abcdef0123456789abcdef01234567"}})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := NewMembershipStatement(Membership{Entity: "acme", Role: "developer", From: day(0)}, alice)
	if err != nil {
		t.Fatal(err)
	}
	vc := verify(t, tr, signed(t, cs, 1), ContributionPredicateType)
	vm := verify(t, tr, signed(t, ms, 10, 30), MembershipPredicateType)
	for _, v := range []*attest.Verified{vc, vm, vc} {
		if _, err := l.Ingest(context.Background(), v); err != nil {
			t.Fatal(err)
		}
	}
	r, err := l.Reciprocity(context.Background(), Query{Entity: "acme", Commons: "a", At: day(10)})
	if err != nil || r.Total != 2500 || len(r.ByStatement) != 1 || r.ByStatement[0] != (Share{vc.Digest, 2500}) {
		t.Fatalf("%+v %v", r, err)
	}
	c, _ := DecodeContribution(vc, l)
	if !c.From.Equal(day(1)) || c.Unit != "commits" || len(c.Evidence) != 1 || c.Contributor != attest.KeyID(alice) {
		t.Fatalf("decoded %+v", c)
	}
}

func TestDecodeRefusals(t *testing.T) {
	tr, l := world(t)
	alice := key(30).Public().(ed25519.PublicKey)
	aliceID := attest.KeyID(alice)
	good := Contribution{Commons: "a", Contributor: aliceID, Kind: "code", Quantity: 1000, Unit: "u", At: day(2)}

	// Membership with only the entity's signature: refused, nothing ingested.
	ms, _ := NewMembershipStatement(Membership{Entity: "acme", From: day(0)}, alice)
	vm := verify(t, tr, signed(t, ms, 10), MembershipPredicateType)
	if _, err := l.Ingest(context.Background(), vm); !errors.Is(err, ErrMissingSignature) {
		t.Fatalf("membership without member signature: %v", err)
	}
	var e *Error
	if _, err := DecodeMembership(vm); !errors.As(err, &e) || e.KeyID != aliceID || e.Statement != vm.Digest {
		t.Fatalf("error lacks facts: %#v", e)
	}

	// Contribution to "b" signed by a key trusted for every commons but not
	// b's steward.
	cb := good
	cb.Commons = "b"
	st, _ := NewContributionStatement(cb)
	if _, err := l.Ingest(context.Background(), verify(t, tr, signed(t, st, 9), ContributionPredicateType)); !errors.Is(err, ErrNotSteward) {
		t.Fatalf("non-steward: %v", err)
	}
	// Unknown commons.
	cz := good
	cz.Commons = "zz"
	st, _ = NewContributionStatement(cz)
	if _, err := l.Ingest(context.Background(), verify(t, tr, signed(t, st, 9), ContributionPredicateType)); !errors.Is(err, ErrUnknownCommons) {
		t.Fatalf("unknown commons: %v", err)
	}
	// Subject naming a different commons than the predicate.
	st, _ = NewContributionStatement(good)
	st2, _ := attest.NewStatement(ContributionPredicateType, json.RawMessage(st.Predicate), attest.SubjectFor("commons:b"))
	if _, err := l.Ingest(context.Background(), verify(t, tr, signed(t, st2, 9), ContributionPredicateType)); !errors.Is(err, ErrSubject) {
		t.Fatalf("subject mismatch: %v", err)
	}

	r, _ := l.Reciprocity(context.Background(), Query{Entity: "acme", Commons: "a", At: day(10), Recognised: map[string]int64{"a": 1000, "b": 1000}})
	if r.Total != 0 {
		t.Fatalf("refused statements were counted: %+v", r)
	}
}

func TestPredicateSchemaPointers(t *testing.T) {
	tests := []struct {
		name, pred string
		want       error
		ptr        string
	}{
		{"negative quantity", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"-1","unit":"u","at":"2026-01-01T00:00:00Z"}`, ErrQuantity, "/quantity"},
		{"absurd quantity", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"99999999999","unit":"u","at":"2026-01-01T00:00:00Z"}`, ErrQuantity, "/quantity"},
		{"four decimals", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1.0001","unit":"u","at":"2026-01-01T00:00:00Z"}`, ErrQuantity, "/quantity"},
		{"period backwards", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","from":"2026-02-01T00:00:00Z","at":"2026-01-01T00:00:00Z"}`, ErrPeriod, "until"},
		{"bad kind", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"Code!","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`, ErrSchema, "/kind"},
		{"unknown field", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z","bonus":1}`, ErrSchema, "/"},
		{"duplicate key", `{"commons":"a","commons":"b","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`, ErrSchema, "/commons"},
		{"bad time", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"yesterday"}`, ErrSchema, "/at"},
		{"missing at", `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u"}`, ErrSchema, "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &attest.Verified{Digest: "sha256:test", Signers: []string{keyID(1)}, Statement: attest.Statement{
				PredicateType: ContributionPredicateType, Subject: []attest.Subject{attest.SubjectFor("commons:a")}, Predicate: json.RawMessage(tc.pred)}}
			_, err := DecodeContribution(v, CommonsSet{"a": {ID: "a", Stewards: []string{keyID(1)}}})
			var e *Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Pointer != tc.ptr {
				t.Fatalf("got %v (pointer %q), want %v at %q", err, ptrOf(e), tc.want, tc.ptr)
			}
		})
	}
	v := &attest.Verified{Statement: attest.Statement{PredicateType: "https://github.com/peerproduction/ppl/predicates/contribution/v2"}}
	if _, err := DecodeContribution(v, CommonsSet{}); !errors.Is(err, ErrUnknownPredicate) {
		t.Fatalf("v2: %v", err)
	}
}

const b43 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func ptrOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Pointer
}

func TestEntityProvenance(t *testing.T) {
	tr, _ := world(t)
	ent := Entity{ID: "acme", Name: "Acme", Key: keyID(10), AsOf: day(1),
		Kind:          KindFact{Known: true, Value: KindWorkerCooperative},
		WorkerOwned:   BoolFact{Known: true, Value: true},
		Headcount:     IntFact{Known: true, Value: 12},
		AnnualRevenue: MoneyFact{Known: true, Value: Money{250_000_00, "EUR"}}}
	st, err := NewEntityStatement(ent)
	if err != nil {
		t.Fatal(err)
	}
	self, err := DecodeEntity(verify(t, tr, signed(t, st, 10), EntityPredicateType))
	if err != nil {
		t.Fatal(err)
	}
	if !self.Kind.SelfDeclared || self.Kind.By != keyID(10) || self.Headcount.Value != 12 || self.AnnualRevenue.Value != (Money{250_000_00, "EUR"}) || self.SurplusToWorkers.Known {
		t.Fatalf("self-declared: %+v", self)
	}
	reg, err := DecodeEntity(verify(t, tr, signed(t, st, 10, 20), EntityPredicateType))
	if err != nil {
		t.Fatal(err)
	}
	if reg.WorkerOwned.SelfDeclared || reg.WorkerOwned.By != keyID(20) {
		t.Fatalf("registrar-attested: %+v", reg.WorkerOwned)
	}
}

// forger signs anything under the identity key (0x01, then 31 zero bytes)
// with R = identity, S = 0, a signature crypto/ed25519 accepts for every
// message: no secret is needed.
type forger struct{}

var identityKey = ed25519.PublicKey(append([]byte{1}, make([]byte, 31)...))

func (forger) Public() crypto.PublicKey { return identityKey }
func (forger) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...), nil
}

func TestMembershipWeakMemberKeyRefused(t *testing.T) {
	tr, l := world(t)
	if _, err := NewMembershipStatement(Membership{Entity: "acme", From: day(0)}, identityKey); !errors.Is(err, attest.ErrWeakKey) {
		t.Fatalf("NewMembershipStatement with the identity key: %v", err)
	}
	// The entity signs a membership naming the identity key as its member,
	// and the "member" co-signs with the forgery: a contribution by nobody
	// would count for acme if this were accepted.
	pred := map[string]any{"entity": "acme", "memberKey": base64.StdEncoding.EncodeToString(identityKey), "from": "2026-01-01T00:00:00Z"}
	st, err := attest.NewStatement(MembershipPredicateType, pred, attest.SubjectFor("entity:acme"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := attest.SignStatement(st, key(10), forger{})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.SignedBy(identityKey); !errors.Is(err, attest.ErrWeakKey) {
		t.Fatalf("SignedBy(identity) = %v", err)
	}
	raw, _ := json.Marshal(env)
	v := verify(t, tr, raw, MembershipPredicateType)
	var e *Error
	_, err = DecodeMembership(v)
	if !errors.Is(err, attest.ErrWeakKey) || !errors.As(err, &e) || e.Pointer != "/memberKey" || e.KeyID != attest.KeyID(identityKey) || e.Statement != v.Digest {
		t.Fatalf("DecodeMembership with a forged member signature: %v", err)
	}
	if _, err := l.Ingest(context.Background(), v); !errors.Is(err, attest.ErrWeakKey) {
		t.Fatalf("Ingest: %v", err)
	}
}
