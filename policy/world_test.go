package policy

import (
	"crypto/ed25519"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// The test world: commons "alpha" recognises "beta" at half weight. Keys
// are derived from labels so every run signs the same bytes.

var at = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func key(label string) ed25519.PrivateKey {
	if k, ok := keys.Load(label); ok {
		return k.(ed25519.PrivateKey)
	}
	seed := sha256.Sum256([]byte("ppl policy test " + label))
	k := ed25519.NewKeyFromSeed(seed[:])
	keys.Store(label, k)
	return k
}

// keys holds the derived keys: deriving one costs a scalar
// multiplication, and the fuzz target builds a new world every input.
var keys sync.Map

func pub(label string) ed25519.PublicKey { return key(label).Public().(ed25519.PublicKey) }
func id(label string) string             { return attest.KeyID(pub(label)) }

type world struct {
	trust *attest.Trust
	alpha contribution.Commons
	beta  contribution.Commons
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{
		alpha: contribution.Commons{ID: "alpha", Name: "Alpha", Stewards: []string{id("steward-alpha")},
			Recognises: []contribution.Recognition{{Commons: "beta", Weight: 500}}},
		beta: contribution.Commons{ID: "beta", Name: "Beta", Stewards: []string{id("steward-beta")}},
	}
	tr, err := attest.NewTrust(
		attest.Rule{Key: pub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: pub("steward-beta"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:beta"}},
		attest.Rule{Key: pub("registrar"), PredicateTypes: []string{contribution.EntityPredicateType, FactPredicateType, ControlPredicateType}, Subjects: []string{"entity:*"}},
		attest.Rule{Key: pub("registrar"), PredicateTypes: []string{attest.RevocationPredicateType}, Subjects: []string{"statement:*", "key:*"}},
		attest.Rule{Key: pub("entity-acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
		attest.Rule{Key: pub("entity-peerco"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:peerco"}},
		attest.Rule{Key: pub("marketplace"), PredicateTypes: []string{GrantPredicateType}, Subjects: []string{"commons:alpha", "entity:*"}},
		// A steward whose trust ended in 2025: its statements are expired evidence.
		attest.Rule{Key: pub("steward-old"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"},
			Until: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	)
	if err != nil {
		t.Fatal(err)
	}
	w.trust = tr
	return w
}

func (w *world) evaluator(t testing.TB, termsID string) *Evaluator {
	t.Helper()
	terms, err := license.Builtin(termsID)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(Config{Terms: terms, Commons: w.alpha, Peers: []contribution.Commons{w.beta}, Trust: w.trust})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func envelope(t testing.TB, st attest.Statement, signers ...string) []byte {
	t.Helper()
	var ks []ed25519.PrivateKey
	for _, s := range signers {
		ks = append(ks, key(s))
	}
	env, err := attest.SignStatement(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if err := env.AddSignature(k); err != nil {
			t.Fatal(err)
		}
	}
	b, err := env.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// employer is the entity each test member's contributions are made for:
// in evidence a contribution counts only for the entity it names.
var employer = map[string]string{"alice": "acme", "bob": "acme", "carol": "peerco"}

// contributed: member contributed units of kind to commons for their
// employer, days ago, signed by signer.
func contributed(t testing.TB, signer, commons, member, kind string, units int64, daysAgo int) []byte {
	t.Helper()
	return contributedFor(t, signer, commons, member, employer[member], kind, units, daysAgo)
}

// contributedFor is contributed naming entity ("" for none).
func contributedFor(t testing.TB, signer, commons, member, entity, kind string, units int64, daysAgo int) []byte {
	t.Helper()
	st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: commons, Contributor: id(member), Entity: entity,
		Kind: kind, Quantity: contribution.Quantity(units * 1000), Unit: "points", At: at.AddDate(0, 0, -daysAgo)})
	if err != nil {
		t.Fatal(err)
	}
	return envelope(t, st, signer)
}

// memberOf: member belongs to entity since a year ago, signed by both.
func memberOf(t testing.TB, entity, member string) []byte {
	t.Helper()
	st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: entity, Role: "developer", From: at.AddDate(-1, 0, 0)}, pub(member))
	if err != nil {
		t.Fatal(err)
	}
	return envelope(t, st, "entity-"+entity, member)
}

// registered: the registrar attests an entity's facts.
func registered(t testing.TB, e contribution.Entity) []byte {
	t.Helper()
	e.AsOf = at.AddDate(0, -1, 0)
	st, err := contribution.NewEntityStatement(e)
	if err != nil {
		t.Fatal(err)
	}
	return envelope(t, st, "registrar")
}

func kindFact(k contribution.EntityKind) contribution.KindFact {
	return contribution.KindFact{Known: true, Value: k}
}

func boolFact(v bool) contribution.BoolFact { return contribution.BoolFact{Known: true, Value: v} }
