package policy

import (
	"crypto"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/license"
)

// GrantPredicateType is the predicate of a grant: a signed receipt of a
// decision and of the use it was decided for.
const GrantPredicateType = "https://github.com/peerproduction/ppl/predicates/grant/v2"

// grantV1PredicateType is the grant before it recorded the use. A v1 grant
// cannot say which use it covers, so it covers none: it is recognised only
// to be refused with that reason rather than as an unknown type.
const grantV1PredicateType = "https://github.com/peerproduction/ppl/predicates/grant/v1"

// Sentinels for errors.Is. Every refusal of a grant wraps ErrGrant; a
// refusal because the request asks for more than the grant covers also
// wraps ErrNotCovered. Both come as a *GrantError with the facts.
var (
	ErrGrant      = errors.New("grant")
	ErrNotCovered = errors.New("grant does not cover the request")
)

// GrantError is a grant refused. For a malformed grant Pointer names the
// member at fault; for a grant that does not cover a request, Field names
// what the request exceeds: "commons", "entity", "terms", "commercial",
// "purpose", "seats", "released", "period", or "use" for a v1 grant,
// which records none.
type GrantError struct {
	Statement string // the grant statement's digest, when known
	Pointer   string // JSON pointer into the statement, for a malformed grant
	Field     string // what the request exceeds, for a grant that does not cover it
	Detail    string
}

func (e *GrantError) Error() string {
	var b strings.Builder
	b.WriteString("grant")
	if e.Statement != "" {
		b.WriteString(" " + e.Statement)
	}
	switch {
	case e.Field != "":
		b.WriteString(": does not cover the request's " + e.Field)
	case e.Pointer != "":
		b.WriteString(": " + e.Pointer)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap gives ErrGrant, and ErrNotCovered for a grant refused for a
// request it does not cover.
func (e *GrantError) Unwrap() []error {
	if e.Field != "" {
		return []error{ErrGrant, ErrNotCovered}
	}
	return []error{ErrGrant}
}

// Grant says who may use which commons under which terms, for which use,
// on what outcome and price, from when until when. Its statement's
// subjects are "commons:<id>" and "entity:<id>", so a Trust rule scopes
// which commons a marketplace key may grant for.
type Grant struct {
	Commons       string     `json:"commons"`
	Entity        string     `json:"entity"`
	TermsDigest   string     `json:"termsDigest"`
	RequestDigest string     `json:"requestDigest"` // the request the grant answered
	Use           GrantUse   `json:"use"`
	Outcome       Outcome    `json:"outcome"`
	Clause        string     `json:"clause"`
	Price         *GrantCost `json:"price,omitempty"`
	Payment       string     `json:"payment,omitempty"` // the payment reference, for pay grants
	IssuedAt      string     `json:"issuedAt"`
	ValidFrom     string     `json:"validFrom"`
	ValidUntil    string     `json:"validUntil,omitempty"`

	Statement string   `json:"-"` // digest, once verified
	Signers   []string `json:"-"` // key ids, once verified

	from, until, released time.Time // ValidFrom, ValidUntil and Use.Released, once verified
}

// GrantUse is the use a grant was decided for, and so the most it covers:
// a request is covered when it asks for the same commercial flag, purpose
// and released version, and at most Seats seats.
type GrantUse struct {
	Commercial bool   `json:"commercial"`
	Purpose    string `json:"purpose"`            // "" when the request named none
	Seats      int64  `json:"seats"`              // at least 1 (a request's 0 counts as 1)
	Released   string `json:"released,omitempty"` // RFC 3339; absent when the request gave none
}

// GrantCost is the price a pay grant was issued at.
type GrantCost struct {
	Amount   int64          `json:"amount"`
	Currency string         `json:"currency"`
	Period   license.Period `json:"period"`
}

// SignGrant signs d as a grant with signer (the marketplace's key). A pay
// decision needs a payment reference; a deny decision cannot be granted,
// and neither can a Decision no Evaluator made. The grant records the use
// d was decided for and is valid from the decision's time until its
// ValidUntil, or until `until` when that is earlier or the decision has
// none (a zero until means no further bound).
func SignGrant(d *Decision, signer crypto.Signer, payment string, until time.Time) (*attest.Envelope, error) {
	switch {
	case d == nil || d.eval == nil:
		return nil, fmt.Errorf("%w: no decision to grant: sign one an Evaluator made", ErrGrant)
	case signer == nil:
		return nil, fmt.Errorf("%w: no signer", ErrGrant)
	}
	outcome := d.Outcome()
	switch {
	case outcome == Deny:
		return nil, fmt.Errorf("%w: a deny decision cannot be granted", ErrGrant)
	case outcome != Free && outcome != Pay:
		return nil, fmt.Errorf("%w: outcome %q cannot be granted", ErrGrant, outcome)
	case outcome == Pay && payment == "":
		return nil, fmt.Errorf("%w: a pay decision needs a payment reference", ErrGrant)
	}
	from := d.At().UTC().Truncate(time.Second) // RFC 3339 without fractions
	end := d.ValidUntil()
	if !until.IsZero() && (end.IsZero() || until.Before(end)) {
		end = until
	}
	end = end.UTC().Truncate(time.Second) // never later than the decision holds
	if !end.IsZero() && !end.After(from) {
		return nil, fmt.Errorf("%w: the grant would end (%s) before it starts (%s)", ErrGrant,
			end.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	g := Grant{Commons: d.Commons(), Entity: d.Entity(), TermsDigest: d.TermsDigest(), RequestDigest: d.RequestDigest(),
		Use:     GrantUse{Commercial: d.flags.has(flagCommercial), Purpose: d.purpose, Seats: max(d.seats, 1)},
		Outcome: outcome, Clause: d.Clause(), Payment: payment,
		IssuedAt: from.Format(time.RFC3339), ValidFrom: from.Format(time.RFC3339)}
	if r := d.x().released; !r.IsZero() {
		g.Use.Released = r.UTC().Format(time.RFC3339Nano)
	}
	if !end.IsZero() {
		g.ValidUntil = end.Format(time.RFC3339)
	}
	if outcome == Pay {
		p := d.Price()
		g.Price = &GrantCost{Amount: p.Amount, Currency: p.Currency, Period: p.Period}
	}
	st, err := attest.NewStatement(GrantPredicateType, g, attest.SubjectFor("commons:"+g.Commons), attest.SubjectFor("entity:"+g.Entity))
	if err != nil {
		return nil, err
	}
	return attest.SignStatement(st, signer)
}

// VerifyGrant verifies a grant envelope offline with trust at time at: the
// signature, the signer's scope for grants about this commons and entity,
// revocation, the grant's validity window, and the predicate's shape. A
// grant refused only because at is outside its window (attest.ErrExpired,
// attest.ErrNotYetValid) is returned beside the error, for a verifier who
// wants to know what it said; it covers nothing then. A v1
// grant records no use, so it is refused (a *GrantError with Field "use"):
// it must be issued again.
func VerifyGrant(trust *attest.Trust, envelopeJSON []byte, at time.Time) (*Grant, error) {
	if trust == nil {
		return nil, fmt.Errorf("%w: no Trust to verify with", ErrGrant)
	}
	v, err := trust.Verify(envelopeJSON, attest.VerifyOptions{Time: at, PredicateTypes: []string{GrantPredicateType, grantV1PredicateType}})
	if err != nil {
		if v == nil {
			return nil, err
		}
		// Expired, or not yet valid, at at: what the grant says is still
		// given, with the refusal, so a verifier years later learns who
		// granted what to whom under which terms, and for when.
		g, derr := decodeGrant(v)
		if derr != nil {
			return nil, derr
		}
		return g, err
	}
	return decodeGrant(v)
}

// grantJSON reads a grant with the use's members as pointers, so a member
// left out is told from one given as false, "" or 0. The outer Use
// shadows Grant's for both canonjson and encoding/json.
type grantJSON struct {
	Grant
	Use *struct {
		Commercial *bool   `json:"commercial"`
		Purpose    *string `json:"purpose"`
		Seats      *int64  `json:"seats"`
		Released   string  `json:"released"`
	} `json:"use"`
}

var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func decodeGrant(v *attest.Verified) (*Grant, error) {
	bad := func(pointer, format string, args ...any) error {
		return &GrantError{Statement: v.Digest, Pointer: pointer, Detail: fmt.Sprintf(format, args...)}
	}
	if v.Statement.PredicateType == grantV1PredicateType {
		return nil, &GrantError{Statement: v.Digest, Field: "use",
			Detail: "a grant/v1 records no use, so it covers none: have it issued again as " + GrantPredicateType}
	}
	var w grantJSON
	if err := v.Statement.DecodePredicate(&w); err != nil {
		ptr := "/predicate"
		var pe *attest.PredicateError
		if errors.As(err, &pe) {
			ptr = pe.Pointer
		}
		return nil, &GrantError{Statement: v.Digest, Pointer: ptr, Detail: err.Error()}
	}
	g := w.Grant
	switch u := w.Use; {
	case u == nil:
		return nil, bad("/predicate/use", "required: the use the grant was decided for")
	case u.Commercial == nil:
		return nil, bad("/predicate/use/commercial", "required")
	case u.Purpose == nil:
		return nil, bad("/predicate/use/purpose", "required (\"\" for none)")
	case u.Seats == nil || *u.Seats < 1:
		return nil, bad("/predicate/use/seats", "required, at least 1")
	default:
		g.Use = GrantUse{Commercial: *u.Commercial, Purpose: *u.Purpose, Seats: *u.Seats, Released: u.Released}
	}
	if g.Use.Released != "" {
		t, err := time.Parse(time.RFC3339Nano, g.Use.Released)
		if err != nil {
			return nil, bad("/predicate/use/released", "%v", err)
		}
		g.released = t
	}
	switch {
	case g.Commons == "":
		return nil, bad("/predicate/commons", "required")
	case g.Entity == "":
		return nil, bad("/predicate/entity", "required")
	case !v.Statement.HasSubject("commons:"+g.Commons) || !v.Statement.HasSubject("entity:"+g.Entity):
		return nil, bad("/subject", "does not name commons:%s and entity:%s", g.Commons, g.Entity)
	case g.Outcome != Free && g.Outcome != Pay:
		return nil, bad("/predicate/outcome", "%q: a grant is free or pay", g.Outcome)
	case g.Outcome == Pay && g.Price == nil:
		return nil, bad("/predicate/price", "required for a pay grant")
	case g.Outcome == Pay && g.Payment == "":
		return nil, bad("/predicate/payment", "required for a pay grant")
	case g.Outcome == Free && g.Price != nil:
		return nil, bad("/predicate/price", "a free grant has no price")
	case g.Price != nil && g.Price.Amount < 0:
		return nil, bad("/predicate/price/amount", "%d is negative", g.Price.Amount)
	case g.Price != nil && g.Price.Currency == "":
		return nil, bad("/predicate/price/currency", "required")
	case g.Price != nil && !slices.Contains([]license.Period{license.OneTime, license.Monthly, license.Yearly}, g.Price.Period):
		return nil, bad("/predicate/price/period", "%q is not one-time, month or year", g.Price.Period)
	case g.TermsDigest == "":
		return nil, bad("/predicate/termsDigest", "required")
	case !sha256Digest.MatchString(g.RequestDigest):
		return nil, bad("/predicate/requestDigest", "%q is not sha256:<64 hex digits>", g.RequestDigest)
	}
	if _, err := time.Parse(time.RFC3339, g.IssuedAt); err != nil {
		return nil, bad("/predicate/issuedAt", "%v", err)
	}
	var err error
	if g.from, err = time.Parse(time.RFC3339, g.ValidFrom); err != nil {
		return nil, bad("/predicate/validFrom", "required: %v", err)
	}
	if g.ValidUntil != "" {
		if g.until, err = time.Parse(time.RFC3339, g.ValidUntil); err != nil {
			return nil, bad("/predicate/validUntil", "%v", err)
		}
	}
	g.Statement, g.Signers = v.Digest, v.Signers
	return &g, nil
}

// grantApplies says whether a verified grant covers r: this evaluator's
// commons and terms, r's entity, a use no larger than the one granted, at
// an instant inside the grant's period. The period is checked here as
// well as by verification, so the rule holds whoever verified the grant.
func (e *Evaluator) grantApplies(g *Grant, r *Request) error {
	not := func(field, format string, args ...any) error {
		return &GrantError{Statement: g.Statement, Field: field, Detail: fmt.Sprintf(format, args...)}
	}
	seats := max(r.Use.Seats, 1)
	switch {
	case g.Commons != e.commons.ID:
		return not("commons", "granted for %q, asked for %q", g.Commons, e.commons.ID)
	case g.Entity != r.Entity.ID:
		return not("entity", "granted to %q, asked by %q", g.Entity, r.Entity.ID)
	case g.TermsDigest != e.termsDigest:
		return not("terms", "granted under %s, not the current %s", g.TermsDigest, e.termsDigest)
	case g.Use.Commercial != r.Use.Commercial:
		return not("commercial", "granted for %s use, asked for %s use", useKind(g.Use.Commercial), useKind(r.Use.Commercial))
	case g.Use.Purpose != r.Use.Purpose:
		return not("purpose", "granted for purpose %q, asked for %q", g.Use.Purpose, r.Use.Purpose)
	case seats > g.Use.Seats:
		return not("seats", "granted for %d, asked for %d", g.Use.Seats, seats)
	case !r.Use.Released.Equal(g.released):
		return not("released", "granted for the version released %s, asked for %s", instant(g.released), instant(r.Use.Released))
	case r.At.Before(g.from):
		return not("period", "granted from %s, asked at %s", g.ValidFrom, instant(r.At))
	case !g.until.IsZero() && !r.At.Before(g.until):
		return not("period", "granted until %s, asked at %s", g.ValidUntil, instant(r.At))
	}
	return nil
}

func useKind(commercial bool) string {
	if commercial {
		return "commercial"
	}
	return "non-commercial"
}

func instant(t time.Time) string {
	if t.IsZero() {
		return "(none given)"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// seenGrant is a verified grant in a request's evidence, kept with what
// names it in Ignored should the request turn out not to be covered.
type seenGrant struct {
	grant            *Grant
	envelope, signer string
}

// grantFor picks the grant that decides r: of those that cover it, the
// one with the lowest statement digest, so the choice does not depend on
// the evidence's order. Each grant that does not cover r is listed as
// ignored with what r exceeds. The evidence set holding the grants is
// shared by requests with other uses, which is why the use is judged here
// and not when the evidence is verified. The grant returned stays the
// set's, shared read-only by the decisions it decides: nothing changes a
// decision's grant, and Decision.Grant hands out a copy.
func (e *Evaluator) grantFor(x *details, r *Request, grants []seenGrant) *Grant {
	var best *Grant
	for _, s := range grants {
		if err := e.grantApplies(s.grant, r); err != nil {
			x.ignored = append(x.ignored, Ignored{Envelope: s.envelope, Statement: s.grant.Statement, KeyID: s.signer, Reason: reason(err), Err: err})
			continue
		}
		if best == nil || s.grant.Statement < best.Statement {
			best = s.grant
		}
	}
	return best
}

// applyGrant lets a grant that covers the request decide: it is honoured
// until it expires, whatever the terms would say today, at the grant's
// price.
func (e *Evaluator) applyGrant(d *Decision, x *details, g *Grant) {
	x.grant = g
	d.outcome = codeOf(g.Outcome)
	if !g.until.IsZero() {
		d.validUntil = g.until
	}
}
