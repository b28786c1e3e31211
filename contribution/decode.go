package contribution

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// Registry finds commons by id; a *Ledger and a CommonsSet are registries.
type Registry interface {
	Commons(id string) (Commons, bool)
}

// CommonsSet is a Registry held in a map.
type CommonsSet map[string]Commons

// Commons implements Registry.
func (s CommonsSet) Commons(id string) (Commons, bool) {
	c, ok := s[id]
	return c, ok
}

// Wire forms of the predicates. Times are RFC 3339 strings; quantities are
// decimal strings with at most three fractional digits, so no float ever
// touches them.
type contributionWire struct {
	Commons     string   `json:"commons"`
	Contributor string   `json:"contributor"`
	Entity      string   `json:"entity,omitempty"`
	Kind        string   `json:"kind"`
	Quantity    string   `json:"quantity"`
	Unit        string   `json:"unit"`
	From        string   `json:"from,omitempty"`
	At          string   `json:"at"`
	Evidence    []string `json:"evidence,omitempty"`
	ValidFrom   string   `json:"validFrom,omitempty"`
	ValidUntil  string   `json:"validUntil,omitempty"`
}

type membershipWire struct {
	Entity     string `json:"entity"`
	MemberKey  string `json:"memberKey"`
	Role       string `json:"role,omitempty"`
	From       string `json:"from"`
	Until      string `json:"until,omitempty"`
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidUntil string `json:"validUntil,omitempty"`
}

type moneyWire struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type entityWire struct {
	Entity           string     `json:"entity"`
	Name             string     `json:"name,omitempty"`
	Key              string     `json:"key,omitempty"`
	Kind             string     `json:"kind,omitempty"`
	WorkerOwned      *bool      `json:"workerOwned,omitempty"`
	SurplusToWorkers *bool      `json:"surplusToWorkers,omitempty"`
	Headcount        *int64     `json:"headcount,omitempty"`
	AnnualRevenue    *moneyWire `json:"annualRevenue,omitempty"`
	AsOf             string     `json:"asOf"`
	ValidFrom        string     `json:"validFrom,omitempty"`
	ValidUntil       string     `json:"validUntil,omitempty"`
}

// idMembers are the members of each predicate that hold a commons or
// entity id (attest.CheckID) or a key id (attest.CheckKeyID).
var idMembers = map[string][]struct {
	name  string
	check func(string) error
}{
	ContributionPredicateType: {{"commons", attest.CheckID}, {"contributor", attest.CheckKeyID}, {"entity", attest.CheckID}},
	MembershipPredicateType:   {{"entity", attest.CheckID}},
	EntityPredicateType:       {{"entity", attest.CheckID}, {"key", attest.CheckKeyID}},
}

// checkIDs refuses a predicate (decoded into doc by encoding/json) whose
// ids are outside attest's grammar, saying which byte is wrong and why;
// members absent or not strings are left to the schema.
func checkIDs(predicateType string, doc any, stmt string) error {
	m, _ := doc.(map[string]any)
	for _, id := range idMembers[predicateType] {
		s, ok := m[id.name].(string)
		if !ok {
			continue
		}
		if err := id.check(s); err != nil {
			return idError(stmt, "/"+id.name, err)
		}
	}
	return nil
}

// idError is an *Error for an id attest refused, with the *attest.IDError
// (located at ptr) behind it for errors.As.
func idError(stmt, ptr string, err error) *Error {
	ie := err.(*attest.IDError)
	e := &Error{Err: ErrSchema, Statement: stmt, Pointer: ptr, Detail: strings.TrimPrefix(ie.Error(), "attest: "), cause: ie}
	ie.Where = ptr
	return e
}

func checkType(v *attest.Verified, want string) error {
	if v == nil {
		return errorf(ErrInvalid, "", "", "no verified statement")
	}
	if got := v.Statement.PredicateType; got != want {
		return errorf(ErrUnknownPredicate, v.Digest, "/predicateType", "got %q, want %q", got, want)
	}
	return nil
}

// DecodeContribution reads a verified contribution statement. It counts only
// when the statement's subject names the commons its predicate names and a
// steward of that commons is among the signers attest verified (the Trust
// should scope stewards' keys to "commons:<id>").
func DecodeContribution(v *attest.Verified, reg Registry) (Contribution, error) {
	if err := checkType(v, ContributionPredicateType); err != nil {
		return Contribution{}, err
	}
	w, ok := fastContribution(v.Statement.Predicate)
	if !ok {
		if err := decodePredicate(ContributionPredicateType, v.Statement.Predicate, v.Digest, &w); err != nil {
			return Contribution{}, err
		}
	}
	c := Contribution{Commons: w.Commons, Contributor: w.Contributor, Entity: w.Entity, Kind: w.Kind, Unit: w.Unit, Evidence: w.Evidence, Statement: v.Digest}
	var err error
	if c.Quantity, err = ParseQuantity(w.Quantity); err != nil {
		err.(*Error).Statement = v.Digest
		return Contribution{}, err
	}
	if c.At, err = parseTime(w.At, v.Digest, "/at"); err != nil {
		return Contribution{}, err
	}
	if w.From != "" {
		if c.From, err = parseTime(w.From, v.Digest, "/from"); err != nil {
			return Contribution{}, err
		}
	}
	if err := c.check(); err != nil {
		return Contribution{}, err
	}
	subject := "commons:" + c.Commons
	if !v.Statement.HasSubject(subject) {
		return Contribution{}, errorf(ErrSubject, v.Digest, "/commons", "predicate names commons %q but no subject is %q", c.Commons, subject)
	}
	com, ok := reg.Commons(c.Commons)
	if !ok {
		return Contribution{}, errorf(ErrUnknownCommons, v.Digest, "/commons", "commons %q is not registered", c.Commons)
	}
	for _, s := range v.Signers {
		if com.IsSteward(s) {
			return c, nil
		}
	}
	return Contribution{}, &Error{Err: ErrNotSteward, Statement: v.Digest, Pointer: "/commons", KeyID: strings.Join(v.Signers, ","),
		Detail: "none of the verified signers is a steward of commons " + strconv.Quote(c.Commons) + "; have a steward sign it"}
}

// DecodeMembership reads a verified membership statement. It counts only
// with both signatures in the one envelope: a key the Trust holds for
// "entity:<id>" (attest put it in v.Signers) and the member's key carried in
// the predicate, checked with Envelope.SignedBy. The member's id is the key id
// of that key. (When the entity is an individual whose own key is the member's
// key, that one signature is both.)
func DecodeMembership(v *attest.Verified) (Membership, error) {
	if err := checkType(v, MembershipPredicateType); err != nil {
		return Membership{}, err
	}
	w, ok := fastMembership(v.Statement.Predicate)
	if !ok {
		if err := decodePredicate(MembershipPredicateType, v.Statement.Predicate, v.Digest, &w); err != nil {
			return Membership{}, err
		}
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(w.MemberKey)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return Membership{}, errorf(ErrSchema, v.Digest, "/memberKey", "not a 32-byte Ed25519 key in standard base64")
	}
	pub := ed25519.PublicKey(raw)
	m := Membership{Contributor: attest.KeyID(pub), Entity: w.Entity, Role: w.Role, Statement: v.Digest}
	// A small-order key "signs" anything (R = identity, S = 0 verifies for
	// every message), so its co-signature proves nothing: refuse the key
	// itself rather than leave it to how SignedBy answers.
	if err := attest.CheckPublicKey(pub); err != nil {
		return Membership{}, &Error{Err: attest.ErrWeakKey, Statement: v.Digest, Pointer: "/memberKey", KeyID: m.Contributor,
			Detail: "the member key is of small order or not canonically encoded; no honest signer has it"}
	}
	if m.From, err = parseTime(w.From, v.Digest, "/from"); err != nil {
		return Membership{}, err
	}
	if w.Until != "" {
		if m.Until, err = parseTime(w.Until, v.Digest, "/until"); err != nil {
			return Membership{}, err
		}
		if !m.Until.After(m.From) {
			return Membership{}, errorf(ErrPeriod, v.Digest, "/until", "membership ends %s, not after it starts %s", w.Until, w.From)
		}
	}
	subject := "entity:" + m.Entity
	if !v.Statement.HasSubject(subject) {
		return Membership{}, errorf(ErrSubject, v.Digest, "/entity", "predicate names entity %q but no subject is %q", m.Entity, subject)
	}
	if len(v.Signers) == 0 {
		return Membership{}, errorf(ErrMissingSignature, v.Digest, "", "no key trusted for %s signed", subject)
	}
	if v.Envelope == nil || v.Envelope.SignedBy(pub) != nil {
		return Membership{}, &Error{Err: ErrMissingSignature, Statement: v.Digest, Pointer: "/memberKey", KeyID: m.Contributor,
			Detail: "the member has not signed; add their signature to the same envelope"}
	}
	return m, nil
}

// DecodeEntity reads verified entity facts. Each fact's provenance is the
// statement and its signer: self-declared when a signer is the entity's own
// key (the "key" the predicate names, or one of ownKeys), attested otherwise
// (by a key the Trust holds for this entity and predicate: a registrar).
func DecodeEntity(v *attest.Verified, ownKeys ...string) (Entity, error) {
	if err := checkType(v, EntityPredicateType); err != nil {
		return Entity{}, err
	}
	var w entityWire
	if err := decodePredicate(EntityPredicateType, v.Statement.Predicate, v.Digest, &w); err != nil {
		return Entity{}, err
	}
	subject := "entity:" + w.Entity
	if !v.Statement.HasSubject(subject) {
		return Entity{}, errorf(ErrSubject, v.Digest, "/entity", "predicate names entity %q but no subject is %q", w.Entity, subject)
	}
	if len(v.Signers) == 0 {
		return Entity{}, errorf(ErrNotAttested, v.Digest, "", "no key trusted for %s signed", subject)
	}
	own := func(k string) bool {
		if k == w.Key {
			return true
		}
		for _, o := range ownKeys {
			if o == k {
				return true
			}
		}
		return false
	}
	// A registrar's word outranks the entity's own: prefer a signer that is
	// not the entity's key.
	p := Provenance{Statement: v.Digest, By: v.Signers[0], SelfDeclared: true}
	for _, s := range v.Signers {
		if !own(s) {
			p = Provenance{Statement: v.Digest, By: s}
			break
		}
	}
	e := Entity{ID: w.Entity, Name: w.Name, Key: w.Key}
	var err error
	if e.AsOf, err = parseTime(w.AsOf, v.Digest, "/asOf"); err != nil {
		return Entity{}, err
	}
	if w.Kind != "" {
		e.Kind = KindFact{Known: true, Value: EntityKind(w.Kind), Provenance: p}
	}
	if w.WorkerOwned != nil {
		e.WorkerOwned = BoolFact{Known: true, Value: *w.WorkerOwned, Provenance: p}
	}
	if w.SurplusToWorkers != nil {
		e.SurplusToWorkers = BoolFact{Known: true, Value: *w.SurplusToWorkers, Provenance: p}
	}
	if w.Headcount != nil {
		e.Headcount = IntFact{Known: true, Value: *w.Headcount, Provenance: p}
	}
	if w.AnnualRevenue != nil {
		e.AnnualRevenue = MoneyFact{Known: true, Value: Money{w.AnnualRevenue.Amount, w.AnnualRevenue.Currency}, Provenance: p}
	}
	return e, nil
}

// Ingest decodes a verified contribution or membership and adds it to the
// ledger; nothing is added unless every check passes. added is false when the
// statement was already held. The ledger keeps who signed it and when it was
// first seen (v.FirstSeen), so that RevokeKey later takes away exactly what
// a revoked key signed after its revocation time.
func (l *Ledger) Ingest(ctx context.Context, v *attest.Verified) (added bool, err error) {
	if v == nil {
		return false, errorf(ErrInvalid, "", "", "no verified statement")
	}
	var add func() (bool, error)
	switch v.Statement.PredicateType {
	case ContributionPredicateType:
		c, err := DecodeContribution(v, l)
		if err != nil {
			return false, err
		}
		add = func() (bool, error) { return l.AddContribution(ctx, c) }
	case MembershipPredicateType:
		m, err := DecodeMembership(v)
		if err != nil {
			return false, err
		}
		add = func() (bool, error) { return l.AddMembership(ctx, m) }
	}
	if add != nil {
		record, err := l.admit(v)
		if err != nil {
			return false, err
		}
		if added, err = add(); err != nil || !added {
			return added, err
		}
		if !record() {
			// Undone even when ctx was cancelled meanwhile: a statement of
			// revoked signers must not stay counted.
			if _, err := l.store.Remove(context.WithoutCancel(ctx), v.Digest); err != nil {
				return false, err
			}
			return false, &Error{Err: attest.ErrRevoked, Statement: v.Digest, Detail: "its signers were revoked while it was being ingested"}
		}
		return true, nil
	}
	return false, errorf(ErrUnknownPredicate, v.Digest, "/predicateType", "the ledger ingests %s and %s, not %q", ContributionPredicateType, MembershipPredicateType, v.Statement.PredicateType)
}

func parseTime(s, stmt, ptr string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errorf(ErrSchema, stmt, ptr, "%q is not an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

// ParseQuantity reads a decimal quantity with at most three fractional
// digits ("12", "1.5", "0.125") into thousandths. Signs, exponents and
// values above MaxQuantity are refused.
func ParseQuantity(s string) (Quantity, error) {
	bad := func(why string) error { return errorf(ErrQuantity, "", "/quantity", "%q %s", s, why) }
	intPart, frac, dot := strings.Cut(s, ".")
	if intPart == "" || (dot && (frac == "" || len(frac) > 3)) {
		return 0, bad("must be digits with at most three decimals, like \"1.5\"")
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return 0, bad("has a leading zero")
	}
	var q int64
	for _, r := range intPart {
		if r < '0' || r > '9' {
			return 0, bad("must be a non-negative decimal number")
		}
		q = q*10 + int64(r-'0')
		if q > int64(MaxQuantity/1000) {
			return 0, bad("exceeds the maximum of " + MaxQuantity.String())
		}
	}
	q *= 1000
	for i, mul := 0, int64(100); i < len(frac); i, mul = i+1, mul/10 {
		r := frac[i]
		if r < '0' || r > '9' {
			return 0, bad("must be a non-negative decimal number")
		}
		q += int64(r-'0') * mul
	}
	if Quantity(q) > MaxQuantity {
		return 0, bad("exceeds the maximum of " + MaxQuantity.String())
	}
	return Quantity(q), nil
}
