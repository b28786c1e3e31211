package payout

import (
	"bytes"
	"crypto"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// PredicateType is the predicate of a payout statement.
const PredicateType = "https://github.com/peerproduction/ppl/predicates/payout/v1"

//go:embed schemas/payout-v1.json
var schemaJSON []byte

var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource("payout-v1.json", bytes.NewReader(schemaJSON)); err != nil {
		return nil, err
	}
	return c.Compile("payout-v1.json")
})

type wire struct {
	Commons     string      `json:"commons"`
	TermsDigest string      `json:"termsDigest,omitempty"`
	Payment     paymentWire `json:"payment"`
	Association assocWire   `json:"association"`
	TotalPoints string      `json:"totalPoints"`
	Shares      []shareWire `json:"shares"`
}

type paymentWire struct {
	Reference string `json:"reference"`
	Payer     string `json:"payer"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	At        string `json:"at"`
}

type assocWire struct {
	Recipient string `json:"recipient,omitempty"`
	Amount    int64  `json:"amount"`
}

type shareWire struct {
	Recipient string `json:"recipient"`
	Points    string `json:"points"`
	Computed  int64  `json:"computed"`
	CarriedIn int64  `json:"carriedIn"`
	Paid      int64  `json:"paid"`
	CarryOut  int64  `json:"carryOut"`
}

// Statement returns the allocation as an in-toto statement about
// "commons:<id>", for the plan's signer to sign.
func (a *Allocation) Statement(plan *Plan) (attest.Statement, error) {
	w := wire{Commons: a.Payment.Commons, TermsDigest: a.TermsDigest, TotalPoints: a.TotalPoints.String(),
		Payment:     paymentWire{Reference: a.Payment.Reference, Payer: a.Payment.Payer, Amount: a.Payment.Amount, Currency: a.Payment.Currency, At: a.Payment.At.UTC().Format(time.RFC3339)},
		Association: assocWire{Recipient: plan.Association, Amount: a.Association}, Shares: make([]shareWire, len(a.Shares))}
	for i, s := range a.Shares {
		w.Shares[i] = shareWire{Recipient: s.Recipient, Points: s.Points.String(), Computed: s.Computed, CarriedIn: s.CarriedIn, Paid: s.Paid, CarryOut: s.CarryOut}
	}
	return attest.NewStatement(PredicateType, w, attest.SubjectFor("commons:"+a.Payment.Commons))
}

// Sign signs the allocation as a payout statement.
func (a *Allocation) Sign(plan *Plan, signer crypto.Signer) (*attest.Envelope, error) {
	st, err := a.Statement(plan)
	if err != nil {
		return nil, err
	}
	return attest.SignStatement(st, signer)
}

// Verify verifies a payout envelope with trust at time at, validates it
// against the embedded schema, and recomputes its sums: a statement whose
// amounts do not add up to the payment (with carry-over) is refused with
// ErrSums, one with a negative amount with ErrNegative.
func Verify(trust *attest.Trust, envelopeJSON []byte, at time.Time) (*Allocation, error) {
	v, err := trust.Verify(envelopeJSON, attest.VerifyOptions{Time: at, PredicateTypes: []string{PredicateType}})
	if err != nil {
		if v == nil {
			return nil, err
		}
		// Outside its window: what it says, beside the refusal.
		a, derr := decode(v)
		if derr != nil {
			return nil, derr
		}
		return a, err
	}
	return decode(v)
}

func decode(v *attest.Verified) (*Allocation, error) {
	sch, err := schema()
	if err != nil {
		return nil, err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(v.Statement.Predicate))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			return nil, fmt.Errorf("%w: statement %s: /predicate%s: %s", contribution.ErrSchema, v.Digest, leaf.InstanceLocation, leaf.Message)
		}
		return nil, err
	}
	var w wire
	if err := v.Statement.DecodePredicate(&w); err != nil {
		return nil, err
	}
	if !v.Statement.HasSubject("commons:" + w.Commons) {
		return nil, fmt.Errorf("%w: statement %s: subject does not name commons:%s", contribution.ErrSubject, v.Digest, w.Commons)
	}
	at, _ := time.Parse(time.RFC3339, w.Payment.At)
	a := &Allocation{TermsDigest: w.TermsDigest, Association: w.Association.Amount,
		Payment: Payment{Commons: w.Commons, Payer: w.Payment.Payer, Amount: w.Payment.Amount, Currency: w.Payment.Currency, At: at, Reference: w.Payment.Reference}}
	if a.TotalPoints, err = parsePoints(w.TotalPoints); err != nil {
		return nil, err
	}
	for _, s := range w.Shares {
		p, err := parsePoints(s.Points)
		if err != nil {
			return nil, err
		}
		a.Shares = append(a.Shares, Share{Recipient: s.Recipient, Points: p, Computed: s.Computed, CarriedIn: s.CarriedIn, Paid: s.Paid, CarryOut: s.CarryOut})
	}
	a.Pool = a.Payment.Amount - a.Association
	if err := a.CheckSums(); err != nil {
		return nil, fmt.Errorf("statement %s: %w", v.Digest, err)
	}
	return a, nil
}

func parsePoints(s string) (contribution.Points, error) {
	q, err := contribution.ParseQuantity(s)
	return contribution.Points(q), err
}

// CheckSums recomputes the allocation's arithmetic.
func (a *Allocation) CheckSums() error {
	if a.Association < 0 {
		return fmt.Errorf("%w: association %d", ErrNegative, a.Association)
	}
	in, out := a.Payment.Amount, a.Association
	var computed int64
	for _, s := range a.Shares {
		if s.Computed < 0 || s.CarriedIn < 0 || s.Paid < 0 || s.CarryOut < 0 {
			return fmt.Errorf("%w: recipient %s", ErrNegative, s.Recipient)
		}
		if s.Computed+s.CarriedIn != s.Paid+s.CarryOut {
			return fmt.Errorf("%w: recipient %s: computed %d + carried in %d ≠ paid %d + carried out %d", ErrSums, s.Recipient, s.Computed, s.CarriedIn, s.Paid, s.CarryOut)
		}
		in += s.CarriedIn
		out += s.Paid + s.CarryOut
		computed += s.Computed
	}
	if in != out {
		return fmt.Errorf("%w: payment %d + carried in = %d, but association + paid + carried out = %d", ErrSums, a.Payment.Amount, in, out)
	}
	if computed+a.Association != a.Payment.Amount {
		return fmt.Errorf("%w: shares %d + association %d ≠ payment %d", ErrSums, computed, a.Association, a.Payment.Amount)
	}
	return nil
}

// Explain says, for one recipient, why they got what they got.
func (a *Allocation) Explain(recipient string) string {
	for _, s := range a.Shares {
		if s.Recipient != recipient {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "payment %s: %d %s; association keeps %d; contributors share %d\n", a.Payment.Reference, a.Payment.Amount, a.Payment.Currency, a.Association, a.Pool)
		if a.TotalPoints > 0 {
			fmt.Fprintf(&b, "your points %s of %s in total: %d × %s / %s = %d (rounded by largest remainder)\n",
				s.Points, a.TotalPoints, a.Pool, s.Points, a.TotalPoints, s.Computed)
		}
		if s.CarriedIn > 0 {
			fmt.Fprintf(&b, "carried in from earlier periods: %d\n", s.CarriedIn)
		}
		if s.Paid > 0 {
			fmt.Fprintf(&b, "paid now: %d\n", s.Paid)
		} else {
			fmt.Fprintf(&b, "below the minimum payout: %d carried to the next period\n", s.CarryOut)
		}
		return b.String()
	}
	return recipient + ": no share in payment " + a.Payment.Reference + " (no points in the window)\n"
}
